/**
 * Measuring aid (not part of `pnpm bench`): what the Redis store's change
 * notice costs by itself. Raw @redis/client SET alone, beside SET with a
 * PUBLISH in the same socket write (what the store sends for a write with 1
 * caller), SET with a GET (any second command), and the SET and PUBLISH run by
 * one Lua script (EVALSHA: one command from the client, the same work for
 * Redis), interleaved in rounds as `pnpm bench` does:
 *   pnpm build && cd bench && node --import tsx src/profile/redis-notice.ts [callers]
 */
import { createClient } from "@redis/client";
import { deleteRedisKeys } from "../cases/baselines.js";
import { REDIS_URL, recordText, sampleAuth, uniqueId } from "../fixtures.js";
import { concurrently, FULL_BUDGET, measure } from "../harness.js";

const callers = Number(process.argv[2] ?? 1);
const prefix = `sessionstore-bench-notice-${uniqueId()}:`;
const client = createClient({ url: REDIS_URL });
await client.connect();
const text = JSON.stringify({ value: JSON.parse(recordText(sampleAuth())) });
const notice = JSON.stringify({ o: uniqueId(), k: "sessionstore:user-0:password" });
const key = (index: number) => `${prefix}${index}`;
// The same SET and PUBLISH run by Redis from one script: one command from the client.
const scriptSha = await client.scriptLoad(
  "redis.call('SET', KEYS[1], ARGV[1]) redis.call('PUBLISH', ARGV[2], ARGV[3]) return 1",
);
const cases = [
  { name: "SET", call: (index: number) => client.set(key(index), text) },
  {
    name: "SET + PUBLISH",
    call: (index: number) => Promise.all([client.set(key(index), text), client.publish(`${prefix}changes`, notice)]),
  },
  { name: "SET + GET", call: (index: number) => Promise.all([client.set(key(index), text), client.get(key(index))]) },
  {
    name: "EVALSHA SET+PUB",
    call: (index: number) =>
      client.evalSha(scriptSha, { keys: [key(index)], arguments: [text, `${prefix}changes`, notice] }),
  },
].map(({ name, call }) => ({ name, fn: concurrently(callers, call), opsPerIteration: callers }));
try {
  const stats = await measure(cases, FULL_BUDGET);
  const base = stats.get("SET");
  for (const [name, measured] of stats) {
    const ratio = base ? (measured.opsPerSec / base.opsPerSec).toFixed(2) : "-";
    console.log(
      `${name.padEnd(14)} median ${(measured.median * 1000).toFixed(1)} µs  ${Math.round(measured.opsPerSec)} ops/s  ${ratio}× SET`,
    );
  }
} finally {
  await client.close();
  await deleteRedisKeys(prefix);
}
