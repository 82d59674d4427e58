import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const worker = fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url));
const table = uniqueTable("lock");
const admin = testPool();
const children: ChildProcess[] = [];
const stores: PostgresStore[] = [];

function start(mode: "count" | "hold", key: string, iterations = 0): ChildProcess {
  const child = fork(worker, [mode, POSTGRES_URL, table, key, String(iterations)], {
    execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return child;
}

function message(child: ChildProcess, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker exited with ${code} before "${type}"`));
    child.on("message", (received: { type?: string }) => {
      if (received.type !== type) return;
      child.off("exit", onExit);
      resolve();
    });
    child.once("exit", onExit);
  });
}

function open(): PostgresStore {
  const store = createPostgresStore({ url: POSTGRES_URL, table });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("postgres lock across processes", () => {
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
