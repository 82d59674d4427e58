/**
 * Measuring aid (not part of `pnpm bench`): which layer of a Redis write costs
 * what, beside plain keyv + @keyv/redis, in one process and interleaved in
 * rounds as `pnpm bench` does:
 * - raw: what the store sends (the record normalised, encoded and wrapped in
 *   keyv's envelope, one SET through `sendCommand`), with no store around it;
 * - store: `store.set` of the same record (adds the adapter kit, the per-call
 *   deadline and the change notice);
 * - manager: `SessionManager.set` (adds normalising the caller's object, the
 *   per-key write order and read-your-writes).
 *   pnpm build && cd bench && node --import tsx src/profile/redis-layers.ts [callers]
 */
import { createKeyv } from "@keyv/redis";
import { createClient } from "@redis/client";
import { createSessionManager, encodeSession, normalizeAuthObject } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { deleteRedisKeys } from "../cases/baselines.js";
import { REDIS_URL, sampleAuth, subjects, uniqueId } from "../fixtures.js";
import { concurrently, FULL_BUDGET, measure } from "../harness.js";

const callers = Number(process.argv[2] ?? 50);
const namespace = "layers";
const keyvPrefix = `sessionstore-bench-layers-keyv-${uniqueId()}`;
const storePrefix = `sessionstore-bench-layers-${uniqueId()}`;
const auth = sampleAuth();
const names = subjects(callers);
const storeKeys = names.map((subject) => `${namespace}:${subject}:password`);
const rawKeys = storeKeys.map((key) => `${storePrefix}:raw:${key}`);

const keyv = createKeyv(REDIS_URL, { namespace: keyvPrefix });
const raw = createClient({ url: REDIS_URL });
await raw.connect();
const store = createRedisStore({ url: REDIS_URL, keyPrefix: storePrefix });
const root = createSessionManager(store, { namespace });
const managers = names.map((subject) => root.forSubject(subject));
// What a SessionManager hands its store for `auth` (a refresh token: no expiry, so no PX on either side).
const record = () => {
  const now = Date.now();
  return encodeSession({ auth: normalizeAuthObject(auth, now), updatedAt: now });
};
const keyvRecord = record();
const cases = [
  {
    name: "keyv set",
    call: (index: number) => keyv.set(storeKeys[index] as string, { ...keyvRecord, updatedAt: Date.now() }),
  },
  {
    name: "raw SET",
    call: (index: number) =>
      raw.sendCommand(["SET", rawKeys[index] as string, `{"value":${JSON.stringify(record())}}`], { typeMapping: {} }),
  },
  { name: "store set", call: (index: number) => store.set(storeKeys[index] as string, record()) },
  {
    name: "manager set",
    call: (index: number) => (managers[index] as (typeof managers)[number]).set(auth, "password"),
  },
].map(({ name, call }) => ({ name, fn: concurrently(callers, call), opsPerIteration: callers }));

try {
  const stats = await measure(cases, FULL_BUDGET);
  const base = stats.get("keyv set");
  for (const [name, measured] of stats) {
    const ratio = base ? (measured.opsPerSec / base.opsPerSec).toFixed(2) : "-";
    console.log(`${name.padEnd(12)} ${Math.round(measured.opsPerSec)} ops/s  ${ratio}× keyv`);
  }
} finally {
  for (const manager of managers) await manager.delete("password");
  await store.close();
  await keyv.disconnect();
  await raw.close();
  await deleteRedisKeys(`${keyvPrefix}:`);
  await deleteRedisKeys(`${storePrefix}:`);
}
