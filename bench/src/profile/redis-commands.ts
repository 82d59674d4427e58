/**
 * Measuring aid (not part of `pnpm bench`): what node-redis' typed methods
 * cost beside `sendCommand` with the same arguments, for the commands the
 * Redis store sends on every read and write (GET, SET, PUBLISH), interleaved
 * in rounds as `pnpm bench` does:
 *   pnpm build && cd bench && node --import tsx src/profile/redis-commands.ts [callers]
 */
import { createClient } from "@redis/client";
import { deleteRedisKeys } from "../cases/baselines.js";
import { REDIS_URL, recordText, sampleAuth, uniqueId } from "../fixtures.js";
import { concurrently, FULL_BUDGET, measure } from "../harness.js";

const callers = Number(process.argv[2] ?? 50);
const prefix = `sessionstore-bench-commands-${uniqueId()}:`;
const client = createClient({ url: REDIS_URL });
await client.connect();
const text = JSON.stringify({ value: JSON.parse(recordText(sampleAuth())) });
const notice = JSON.stringify({ o: uniqueId(), k: "sessionstore:user-0:password" });
const channel = `${prefix}changes`;
const key = (index: number) => `${prefix}${index}`;
const pairs = [
  ["GET", (index: number) => client.get(key(index)), (index: number) => client.sendCommand(["GET", key(index)])],
  [
    "SET",
    (index: number) => client.set(key(index), text),
    (index: number) => client.sendCommand(["SET", key(index), text]),
  ],
  [
    "SET PX",
    (index: number) => client.set(key(index), text, { expiration: { type: "PX", value: 3_600_000 } }),
    (index: number) => client.sendCommand(["SET", key(index), text, "PX", "3600000"]),
  ],
  ["PUBLISH", () => client.publish(channel, notice), () => client.sendCommand(["PUBLISH", channel, notice])],
] as const;
const cases = pairs.flatMap(([name, typed, raw]) => [
  { name: `${name} typed`, fn: concurrently(callers, typed), opsPerIteration: callers },
  { name: `${name} sendCommand`, fn: concurrently(callers, raw), opsPerIteration: callers },
]);
try {
  // Every key is written first, so the GET cases read hits from their first round on.
  for (let index = 0; index < callers; index += 1) await client.set(key(index), text);
  const stats = await measure(cases, FULL_BUDGET);
  for (const [name] of pairs) {
    const typed = stats.get(`${name} typed`);
    const raw = stats.get(`${name} sendCommand`);
    if (!typed || !raw) continue;
    console.log(
      `${name.padEnd(8)} typed ${Math.round(typed.opsPerSec)} ops/s  sendCommand ${Math.round(raw.opsPerSec)} ops/s  ${(raw.opsPerSec / typed.opsPerSec).toFixed(2)}×`,
    );
  }
} finally {
  await client.close();
  await deleteRedisKeys(prefix);
}
