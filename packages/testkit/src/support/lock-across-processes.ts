import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { LockingStore } from "@sessionstore/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { forkTsx, message } from "./children.js";

/** How {@link describeLockAcrossProcesses} reaches one backend. */
export interface LockAcrossProcessesOptions {
  /** Shown in the suite's title: "`name` lock across processes". */
  readonly name: string;
  /** The package's worker script (it calls `runLockWorker` from `@sessionstore/testkit/lock-worker`). */
  readonly worker: string;
  readonly url: string;
  readonly table: string;
  /** A new store on the same url and table, in this process. */
  open(): LockingStore;
  /** Drops the table and ends admin connections, after the suite. */
  cleanup(): Promise<void>;
}

/**
 * The lock as processes on one table see it: no lost update under contention,
 * a killed holder blocks only for its lease, and a late release frees nothing.
 */
export function describeLockAcrossProcesses(options: LockAcrossProcessesOptions): void {
  const children: ChildProcess[] = [];
  const stores: LockingStore[] = [];

  const start = (mode: "count" | "hold", key: string, iterations = 0): ChildProcess => {
    const child = forkTsx(options.worker, [mode, options.url, options.table, key, String(iterations)]);
    children.push(child);
    return child;
  };
  const open = (): LockingStore => {
    const store = options.open();
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(() => options.cleanup());

  describe(`${options.name} lock across processes`, () => {
    it("4 processes x 10 read-modify-writes under the lock lose no update", async () => {
      const key = `counter-${globalThis.crypto.randomUUID()}`;
      const workers = Array.from({ length: 4 }, () => start("count", key, 10));
      await Promise.all(workers.map((child) => message(child, "done")));
      expect(await open().get(key)).toEqual({ n: 40 });
    }, 120_000);

    it("a holder killed while holding the lock blocks others only until its lease ends", async () => {
      const key = `killed-${globalThis.crypto.randomUUID()}`;
      const holder = start("hold", key);
      await message(holder, "locked");
      holder.kill("SIGKILL");
      await once(holder, "exit");
      const store = open();
      // The dead holder's lease (5 s) still stands...
      await expect(store.lock(`${key}:lock`, { ttlMs: 1000, waitMs: 0 })).rejects.toMatchObject({
        code: "ERR_LOCK_TIMEOUT",
      });
      // ...and frees itself: the next holder gets it without anyone releasing.
      const release = await store.lock(`${key}:lock`, { ttlMs: 1000, waitMs: 20_000 });
      await release();
    }, 60_000);

    it("a release after the lease ran out does not free the next holder's lock", async () => {
      const [first, second] = [open(), open()];
      const key = `stale-${globalThis.crypto.randomUUID()}`;
      const stale = await first.lock(key, { ttlMs: 100, waitMs: 0 });
      const current = await second.lock(key, { ttlMs: 30_000, waitMs: 5000 });
      await stale();
      await expect(first.lock(key, { ttlMs: 1000, waitMs: 0 })).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
      await current();
      const again = await first.lock(key, { ttlMs: 1000, waitMs: 0 });
      await again();
    });
  });
}
