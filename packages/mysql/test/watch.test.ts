import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMysqlStore, type MysqlPool, type MysqlStore } from "@sessionstore/mysql";
import { collectChanges, untilWatching } from "@sessionstore/testkit/support";
import type { Pool } from "mysql2/promise";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const worker = fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url));
const table = uniqueTable("watch");
const admin = testPool();
const stores: MysqlStore[] = [];
const children: ChildProcess[] = [];
const POLL_MS = 100;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

function open(): MysqlStore {
  const store = createMysqlStore({ url: MYSQL_URL, table });
  stores.push(store);
  return store;
}

/** A real pool, seen through a wrapper that counts the store's reads of the change log. */
function countingPool(pool: Pool): { pool: MysqlPool; polls(): number } {
  let polls = 0;
  return {
    pool: {
      query(sql, values) {
        if (sql.startsWith("SELECT") && sql.includes("_changes`")) polls += 1;
        return pool.query(sql, values);
      },
      getConnection: () => pool.getConnection(),
      end: () => pool.end(),
    },
    polls: () => polls,
  };
}

const key = (label: string) => `sessionstore:${label}-${globalThis.crypto.randomUUID()}:password`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mysql watch (a change log polled while watched)", () => {
  it("a set and a delete by another store instance (its own pool) reach the listener within 1 s", async () => {
    const [watcher, writer] = [open(), open()];
    const seen = collectChanges(watcher);
    // The bound holds once the watch is established (its first read of the log can take longer on a busy machine).
    await untilWatching(seen, writer);
    const written = key("set");
    const setArrived = seen.arrival(written, 1000);
    const started = Date.now();
    await writer.set(written, { v: 1 });
    expect((await setArrived) - started).toBeLessThan(1000);
    const deleteArrived = seen.arrival(written, 1000);
    expect(await writer.delete(written)).toBe(true);
    await deleteArrived;
    expect(seen.keys).toEqual([written, written]);
  });

  it("a write by another process reaches the listener within 1 s of being written", async () => {
    const seen = collectChanges(open());
    const written = key("process");
    const child = fork(worker, ["set", MYSQL_URL, table, written, "0"], {
      execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    await new Promise<void>((resolve) => child.once("message", () => resolve()));
    const arrived = seen.arrival(written, 30_000);
    const reported = new Promise<number>((resolve) => child.once("message", () => resolve(Date.now())));
    child.send("go");
    const [arrivedAt, writtenAt] = await Promise.all([arrived, reported]);
    expect(arrivedAt - writtenAt).toBeLessThan(1000);
  }, 60_000);

  it("does not report the store's own writes (documented), only other instances'", async () => {
    const [watcher, writer] = [open(), open()];
    const seen = collectChanges(watcher);
    // Once the log has been read: keys it used before that are reported then (see below).
    await untilWatching(seen, writer);
    const own = key("own");
    const other = key("other");
    await watcher.set(own, { v: 1 });
    await watcher.delete(own);
    const arrived = seen.arrival(other, 1000);
    // The log is read in order: had the own writes been reported, they would be here first.
    await writer.set(other, { v: 1 });
    await arrived;
    expect(seen.keys).toEqual([other]);
  });

  it("reads nothing while nobody watches; unsubscribe and close() stop the polling", async () => {
    const real = testPool();
    const counted = countingPool(real);
    try {
      const watcher = createMysqlStore({ pool: counted.pool, table, watchPollMs: POLL_MS });
      stores.push(watcher);
      const writer = open();
      await watcher.set(key("warm"), { v: 0 });
      await pause(POLL_MS * 4);
      expect(counted.polls()).toBe(0);

      const first = collectChanges(watcher);
      const second = collectChanges(watcher);
      const changed = key("while-watched");
      const arrived = second.arrival(changed, 1000);
      await writer.set(changed, { v: 1 });
      await arrived;
      first.stop();
      second.stop();
      const afterStop = counted.polls();
      expect(afterStop).toBeGreaterThan(0);
      await pause(POLL_MS * 4);
      // At most the read that was already under way when the last listener left.
      expect(counted.polls()).toBeLessThanOrEqual(afterStop + 1);
      const settled = counted.polls();
      await writer.set(key("unwatched"), { v: 2 });
      await pause(POLL_MS * 4);
      expect(counted.polls()).toBe(settled);
      expect(first.keys.filter((k) => k !== changed)).toEqual([]);

      collectChanges(watcher);
      await pause(POLL_MS * 2);
      await watcher.close();
      const afterClose = counted.polls();
      await pause(POLL_MS * 4);
      expect(counted.polls()).toBeLessThanOrEqual(afterClose + 1);
    } finally {
      await real.end();
    }
  });
});

/**
 * Pools for the first-look test: the watcher's first read of the change log
 * waits for `open()`; the writer logs its changes 60 s in the past (a machine
 * whose clock lags), so they look older than the watch.
 */
function firstLookPools(real: Pool) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const watcher: MysqlPool = {
    async query(sql, values) {
      if (sql.includes("_changes`") && sql.includes("DESC")) await gate;
      return real.query(sql, values);
    },
    getConnection: () => real.getConnection(),
    end: async () => undefined,
  };
  const lagging: MysqlPool = {
    query: (sql, values) => real.query(sql, values),
    async getConnection() {
      const connection = await real.getConnection();
      const query = connection.query.bind(connection) as (
        sql: string,
        values?: unknown[],
      ) => Promise<[unknown, unknown]>;
      return Object.assign(connection, {
        query: (sql: string, values?: unknown[]) =>
          sql.startsWith("INSERT INTO") && sql.includes("_changes`") && values
            ? query(sql, [...values.slice(0, -1), Number(values.at(-1)) - 60_000])
            : query(sql, values),
      });
    },
    end: async () => undefined,
  };
  return { watcher, lagging, open };
}

describe("mysql watch: what this instance used before the change log was first read", () => {
  it("a key read before the first look, changed by a writer whose clock lags, is reported once the log is read", async () => {
    const real = testPool();
    const pools = firstLookPools(real);
    const watcher = createMysqlStore({ pool: pools.watcher, table, watchPollMs: POLL_MS });
    const writer = createMysqlStore({ pool: pools.lagging, table });
    stores.push(watcher, writer);
    try {
      const session = key("early");
      await writer.set(session, { v: 1 });
      const seen = collectChanges(watcher);
      // The restore: read before the watch's first look at the log.
      expect(await watcher.get(session)).toEqual({ v: 1 });
      // Changed meanwhile, logged with a time from before the watch began.
      await writer.set(session, { v: 2 });
      expect(seen.keys).toEqual([]);

      const arrived = seen.arrival(session, 5000);
      pools.open();
      await arrived;
      expect(await watcher.get(session)).toEqual({ v: 2 });
      expect(seen.keys).toEqual([session]);
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await real.end();
    }
  });
});
