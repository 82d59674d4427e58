import { join } from "node:path";
import { createSqliteStore } from "@sessionstore/sqlite";
import { exited, printed } from "@sessionstore/testkit/support";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./support/temp-dir.js";
import { startWorker } from "./support/workers.js";

const children: ReturnType<typeof startWorker>[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function worker(args: string[]) {
  const child = startWorker(args);
  children.push(child);
  return child;
}

/** Starts `count` workers, waits until each has opened the store, then lets them all go at once. */
async function runTogether(argsOf: (index: number) => string[], count: number) {
  const started = Array.from({ length: count }, (_, index) => worker(argsOf(index)));
  await Promise.all(started.map((child) => printed(child, "ready", child.stderrText)));
  for (const child of started) child.stdin?.end("go\n");
  const codes = await Promise.all(started.map((child) => exited(child)));
  return { codes, errors: started.map((child) => child.stderrText()) };
}

describe("several processes on one database file", () => {
  it("4 processes × 50 concurrent writes: no SQLITE_BUSY, every row lands", async () => {
    const path = join(await tempDir("writers"), "sessions.db");
    const { codes, errors } = await runTogether((index) => ["write", path, `p${index}`, "50"], 4);
    expect(errors.join("")).toBe("");
    expect(codes).toEqual([0, 0, 0, 0]);

    const store = createSqliteStore({ path });
    try {
      for (let index = 0; index < 4; index += 1) {
        const keys = await store.list(`p${index}:`);
        expect(keys.length).toBe(50);
        expect(await store.get(`p${index}:49`)).toMatchObject({ v: 1, index: 49 });
      }
    } finally {
      await store.close();
    }
  });

  it("the lock excludes across processes: 4 × 15 locked read-increment-writes lose no update", async () => {
    const path = join(await tempDir("counter"), "sessions.db");
    const { codes, errors } = await runTogether(() => ["count", path, "counter", "15"], 4);
    expect(errors.join("")).toBe("");
    expect(codes).toEqual([0, 0, 0, 0]);
    const store = createSqliteStore({ path });
    try {
      expect(await store.get("counter")).toEqual({ v: 1, value: 60 });
    } finally {
      await store.close();
    }
  });

  it("a lock whose holder was SIGKILLed is taken over once its lease ends", async () => {
    const path = join(await tempDir("killed"), "sessions.db");
    const holder = worker(["hold", path, "refresh-lock", "1500"]);
    await printed(holder, "locked", holder.stderrText);
    const store = createSqliteStore({ path });
    try {
      await expect(store.lock("refresh-lock", { ttlMs: 5_000, waitMs: 0 })).rejects.toMatchObject({
        code: "ERR_LOCK_TIMEOUT",
      });
      holder.kill("SIGKILL");
      expect(await exited(holder)).toBe("SIGKILL");
      const release = await store.lock("refresh-lock", { ttlMs: 5_000, waitMs: 15_000 });
      await release();
    } finally {
      await store.close();
    }
  });
});
