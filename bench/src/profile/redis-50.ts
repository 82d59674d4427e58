/**
 * Profiling aid (not part of `pnpm bench`): the Redis store's 50-caller get or
 * set through a SessionManager in a loop, for `node --cpu-prof`:
 *   pnpm build && cd bench && node --import tsx --cpu-prof src/profile/redis-50.ts get
 * (the built packages, as `pnpm bench` measures them)
 */
import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { deleteRedisKeys } from "../cases/baselines.js";
import { CALLERS, REDIS_URL, sampleAuth, subjects, uniqueId } from "../fixtures.js";

const op = process.argv[2] === "set" ? "set" : "get";
const seconds = Number(process.argv[3] ?? 5);
const namespace = `sessionstore-bench-prof-${uniqueId()}`;
const store = createRedisStore({ url: REDIS_URL, keyPrefix: namespace });
const root = createSessionManager(store, { namespace: "prof" });
const managers = subjects(CALLERS).map((subject) => root.forSubject(subject));
const auth = sampleAuth();
for (const manager of managers) await manager.set(auth, "password");
const until = performance.now() + seconds * 1000;
let ops = 0;
while (performance.now() < until) {
  await Promise.all(
    managers.map((manager) => (op === "get" ? manager.get("password") : manager.set(auth, "password"))),
  );
  ops += CALLERS;
}
console.log(`${op}: ${Math.round(ops / seconds)} ops/s`);
await store.close();
await deleteRedisKeys(`${namespace}:`);
