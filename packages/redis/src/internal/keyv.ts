import KeyvRedis, { type RedisClientType } from "@keyv/redis";
import { Keyv } from "keyv";
import { deserializeEnvelope, serializeEnvelope } from "./envelope.js";

/**
 * The keyv instance a store moves records with, over `@keyv/redis`, set up
 * so that neither library hides an outage or rewrites our keys, which is
 * what their defaults do:
 * - `throwOnErrors` on both the adapter and keyv: otherwise the adapter
 *   swallows a failed GET and keyv answers "no session" during an outage.
 * - no keyv namespace and no key prefix: `new Keyv(new KeyvRedis())` would
 *   prefix twice (`keyv::` from the adapter plus our own). Keys reach Redis
 *   exactly as the store builds them.
 * - our own envelope (de)serialiser (see envelope.ts).
 * `clientView` is the store's client with inert lifecycle and event methods
 * (see keyvClientView): the adapter never connects, closes or listens to it.
 */
export function createRecordKeyv(clientView: object): Keyv {
  const adapter = new KeyvRedis<string>(clientView as RedisClientType, {
    throwOnErrors: true,
    throwOnConnectError: true,
  });
  const keyv = new Keyv(adapter, {
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: serializeEnvelope,
    deserialize: deserializeEnvelope,
  });
  // Keyv's constructor hands its default namespace ("keyv") to the adapter,
  // which would then write `keyv::<key>`; clearing it reaches both.
  keyv.namespace = undefined;
  return keyv;
}
