// Run as a child process (tsx --conditions=@sessionstore/source): increments a
// counter record under the store's lock, read-modify-write, `iterations` times.
import { createRedisStore } from "@sessionstore/redis";

const [url, namespace, iterationsText, workerId] = process.argv.slice(2);
if (!url || !namespace || !iterationsText || !workerId)
  throw new Error("usage: lock-worker <url> <namespace> <iterations> <id>");

const store = createRedisStore({ url, keyPrefix: namespace });
for (let index = 0; index < Number(iterationsText); index += 1) {
  const release = await store.lock("counter", { ttlMs: 10_000, waitMs: 20_000 });
  try {
    const current = await store.get("counter");
    // Widen the read-modify-write window so a broken lock would lose updates.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    const count = typeof current?.count === "number" ? current.count : 0;
    await store.set("counter", { v: 1, count: count + 1, last: workerId });
  } finally {
    await release();
  }
}
await store.close();
