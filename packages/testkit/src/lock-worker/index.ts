import type { JsonObject, LockOptions, ReleaseLock } from "@sessionstore/core";

/** What the worker needs of a store: the lock, records, list (to connect) and close. */
export interface LockWorkerStore {
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  get(key: string): PromiseLike<JsonObject | undefined> | JsonObject | undefined;
  set(key: string, record: JsonObject): PromiseLike<void> | void;
  list(prefix: string): PromiseLike<string[]> | string[];
  close(): PromiseLike<void> | void;
}

/**
 * The body of a child process that shares a store with a test (no vitest here:
 * it runs outside the runner). Arguments: `<mode> <url> <table> <key> [iterations]`;
 * `open(url, table)` makes the store.
 * - "count": `iterations` times, under the lock, read a counter, yield, write it + 1.
 * - "hold": take the lock, say `locked`, hang (the test kills us).
 * - "set": once connected say `ready`; on any message write `key`, say `written`, exit.
 */
export async function runLockWorker(open: (url: string, table: string) => LockWorkerStore): Promise<void> {
  const [mode, url, table, key = "", iterationsText] = process.argv.slice(2);
  const store = open(url ?? "", table ?? "");
  const lockKey = `${key}:lock`;

  if (mode === "hold") {
    await store.lock(lockKey, { ttlMs: 5000, waitMs: 10_000 });
    process.send?.({ type: "locked" });
    await new Promise<never>(() => undefined);
  }

  if (mode === "set") {
    await store.list("");
    process.send?.({ type: "ready" });
    process.once("message", async () => {
      await store.set(key, { from: process.pid });
      await store.close();
      process.send?.({ type: "written" }, () => process.exit(0));
    });
    await new Promise<never>(() => undefined);
  }

  for (let i = 0; i < Number(iterationsText ?? "1"); i += 1) {
    const release = await store.lock(lockKey, { ttlMs: 10_000, waitMs: 60_000 });
    const current = await store.get(key);
    // Another process would read the same value here if the lock did not hold.
    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.set(key, { n: Number(current?.n ?? 0) + 1 });
    await release();
  }
  await store.close();
  process.send?.({ type: "done" }, () => process.exit(0));
}
