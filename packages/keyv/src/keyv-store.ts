import { isSessionStoreError, type SessionStore, SessionStoreError } from "@sessionstore/core";
import { defineStore, type StoreBackend, type StoredEntry } from "@sessionstore/core/adapter";
import { envelopeTextOf } from "./internal/envelope.js";
import { callKeyv, failOnEmittedError, keyFromIterated, storageKeyOf } from "./internal/keyv-access.js";
import { resolveLockSource } from "./internal/lock-source.js";
import { tolerantIterator, UNREADABLE_ENTRY } from "./internal/tolerant-iterator.js";
import type { KeyvInstance } from "./keyv-instance.js";
import { enableThrowOnErrors, type KeyvStoreOptions, resolveOptions } from "./options.js";

export type { KeyvStoreOptions } from "./options.js";

/** A {@link SessionStore} over a Keyv instance. `lock` when a lock store is given; `list` when the adapter can iterate. */
export interface KeyvStore extends SessionStore {
  /** The Keyv instance the store writes to (the one you passed in). */
  readonly keyv: KeyvInstance;
}

/** The key the store reads once when it is made, to open the backend early; nothing is ever written there. */
const WARM_UP_KEY = "sessionstore-warm-up";

function hasTtlSupport(store: unknown): boolean {
  return typeof store === "object" && store !== null && (store as { ttlSupport?: unknown }).ttlSupport === true;
}

/**
 * Makes any Keyv 5 instance a {@link SessionStore}.
 *
 * - Records are written as JSON text carrying their own `expiresAt`, so expiry
 *   is honoured on read even by backends that ignore Keyv's ttl; the ttl is
 *   passed too, so backends with native expiry drop the entry themselves.
 * - `throwOnErrors` is turned on in the instance you pass: a failing backend
 *   rejects with `ERR_STORE_UNAVAILABLE`, it never reads as "no session".
 * - `lock` is offered only when `options.lock` names a store that can lock
 *   (a Redis store, say): Keyv has no atomic "set if absent", so a lock built
 *   on get-then-set would let two holders in.
 * - `list` is offered when the instance can iterate (`keyv.iterator`), decided
 *   when the store is made.
 * - `close()` never disconnects the instance; call `keyv.disconnect()` yourself.
 * - Making the store reads one key (`sessionstore-warm-up`, under the
 *   instance's namespace) and ignores the answer: adapters that connect or
 *   create their table on first use do it now, so the first real call is not
 *   the slow one. A failure there is not reported; the first call meets it.
 *
 * @example
 * ```ts
 * const store = createKeyvStore(new Keyv(new KeyvPostgres({ uri })), {
 *   lock: createRedisStore({ url: "redis://127.0.0.1:6379" }),
 * });
 * ```
 * @param options the options, or a Keyv instance alone (`createKeyvStore(keyv)`).
 * @param more further options when the first argument is a Keyv instance (`createKeyvStore(keyv, { lock })`).
 * @throws `ERR_INVALID_ARGUMENT` when no Keyv instance is given, or `lock` cannot lock.
 */
export function createKeyvStore(
  options: KeyvStoreOptions | KeyvInstance,
  more?: Omit<KeyvStoreOptions, "keyv">,
): KeyvStore {
  const resolved = resolveOptions(options, more);
  const { keyv, now = Date.now, nativeExpiry } = resolved;
  const lockSource = resolveLockSource(resolved.lock);
  enableThrowOnErrors(keyv);
  const iterator = keyv.iterator;
  // Keyv strips a namespace segment from iterated keys even when it has no namespace to strip.
  const canList = typeof iterator === "function" && (!keyv.useKeyPrefix || Boolean(keyv.namespace));

  // Not deleted when expired: another process may be writing a fresh record right now.
  const read = async (key: string): Promise<string | undefined> =>
    envelopeTextOf(
      await callKeyv(`record at key "${key}"`, () => keyv.get(storageKeyOf(keyv, key), { raw: true })),
      key,
    );

  const backend: StoreBackend = {
    read,
    async write(key, text, expiresAt) {
      // 0 means "never" to Keyv and overrides a default ttl set on the instance.
      const ttl = expiresAt === undefined ? 0 : Math.max(1, Math.ceil(expiresAt - now()));
      if ((await keyv.set(storageKeyOf(keyv, key), text, ttl)) === false) {
        throw new SessionStoreError("ERR_STORE_UNAVAILABLE", "store set failed: the Keyv adapter reported a failure");
      }
    },
    async remove(key) {
      // Keyv's delete says only whether an entry went, not whether it was live: read it first.
      let entry: StoredEntry | boolean | undefined;
      try {
        entry = await read(key);
      } catch (error) {
        // Deleting is how a corrupt record gets cleared: it counts as one.
        if (!isSessionStoreError(error, "ERR_CORRUPT_RECORD")) throw error;
        entry = true;
      }
      return (await keyv.delete(storageKeyOf(keyv, key))) ? entry : false;
    },
  };
  if (lockSource) backend.lock = (name, lockOptions) => lockSource.lock(name, lockOptions);
  if (canList && iterator) {
    backend.list = (prefix) =>
      failOnEmittedError(keyv, "list", () =>
        callKeyv(`an entry listed under prefix "${prefix}"`, async () => {
          const entries: Array<[string, string | undefined]> = [];
          // One entry Keyv cannot deserialize is listed (its get() reports it corrupt), not fatal to the rest.
          const iterate = tolerantIterator(keyv) ?? (() => iterator.call(keyv));
          for await (const entry of iterate()) {
            if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
            const key = keyFromIterated(keyv, entry[0]);
            // `undefined` is listed as it is: an entry that is not text is corrupt, and shown so it can be cleared.
            if (key?.startsWith(prefix))
              entries.push([key, entry[1] === UNREADABLE_ENTRY || typeof entry[1] !== "string" ? undefined : entry[1]]);
          }
          return entries;
        }),
      );
  }

  const { store } = defineStore({
    kind: "keyv",
    capabilities: Object.freeze({
      lock: lockSource !== undefined,
      list: canList,
      nativeExpiry: nativeExpiry ?? hasTtlSupport(keyv.store),
    }),
    now,
    backend,
  });

  // Warm-up (see above): never rejects unhandled, and keeps no state.
  Promise.resolve()
    .then(() => keyv.get(storageKeyOf(keyv, WARM_UP_KEY), { raw: true }))
    .catch(() => undefined);

  return Object.assign(store, { keyv });
}
