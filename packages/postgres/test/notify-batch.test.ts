import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { JsonObject } from "@sessionstore/core";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { collectChanges, exited, forkTsx, message, waitUntil } from "@sessionstore/testkit/support";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { dropTables, listeners, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const worker = fileURLToPath(new URL("./fixtures/notify-worker.ts", import.meta.url));
const tables: string[] = [];
const admin = testPool();
const stores: PostgresStore[] = [];
const pools: pg.Pool[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});
afterAll(async () => {
  for (const table of tables) await dropTables(admin, table);
  await admin.end();
});

/** A table of the test's own: no LISTEN of an earlier test (a killed child's backend may linger) is counted. */
function freshTable(): string {
  const table = uniqueTable("notify");
  tables.push(table);
  return table;
}

const listening = (table: string) =>
  waitUntil(async () => (await listeners(admin, table)) === 1, 20_000, "the LISTEN connection");

function open(table: string): PostgresStore {
  const store = createPostgresStore({ url: POSTGRES_URL, table });
  stores.push(store);
  return store;
}

/** A store on a pool of the test's whose statements are recorded: which writes carried their own NOTIFY. */
function openRecorded(table: string): { store: PostgresStore; statements: string[] } {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 10 });
  pool.on("error", () => undefined);
  pools.push(pool);
  const statements: string[] = [];
  const query = pool.query.bind(pool);
  pool.query = ((config: string | { text: string }, values?: unknown[]) => {
    statements.push(typeof config === "string" ? config : config.text);
    return query(config as string, values);
  }) as typeof pool.query;
  const store = createPostgresStore({ pool, table });
  stores.push(store);
  return { store, statements };
}

const isCombined = (text: string) => text.includes("WITH changed") || text.includes("WITH gone");
const isBatch = (text: string) => text.includes("unnest");

const prefixFor = (label: string) => `sessionstore:${label}-${globalThis.crypto.randomUUID()}:`;
const keysOf = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

interface Seen {
  readonly key: string;
  readonly record?: JsonObject | null;
  readonly error?: string;
}

/** Starts a watching child; resolves once its LISTEN connection is up, with everything it saw so far and from now on. */
async function watchingChild(table: string): Promise<Seen[]> {
  const child = forkTsx(worker, ["watch", POSTGRES_URL, table]);
  children.push(child);
  const seen: Seen[] = [];
  child.on("message", (received: { type?: string } & Seen) => {
    if (received.type === "seen") seen.push(received);
  });
  await message(child, "watching");
  await listening(table);
  return seen;
}

describe("postgres watch: notices of concurrent writes go out together", () => {
  it("50 concurrent sets: a watcher in another process hears every key, and its read on each notice sees the write", async () => {
    const table = freshTable();
    const seen = await watchingChild(table);
    const { store, statements } = openRecorded(table);
    const keys = keysOf(prefixFor("fifty"), 50);
    await store.list("");
    statements.length = 0;
    await Promise.all(keys.map((key, index) => store.set(key, { n: index })));
    // The first write went alone (its NOTIFY in its statement); the other 49 overlapped it and each other,
    // so they share one NOTIFY transaction, sent once the last of them committed.
    expect(statements.filter(isCombined)).toHaveLength(1);
    expect(statements.filter(isBatch)).toHaveLength(1);
    await waitUntil(() => keys.every((key) => seen.some((entry) => entry.key === key)), 20_000, "all 50 notices");
    for (const [index, key] of keys.entries()) {
      // The notice came after the commit: the watcher's read finds the record, never nothing.
      expect(seen.find((entry) => entry.key === key)).toEqual({ type: "seen", key, record: { n: index } });
    }
  }, 60_000);

  it("a write alone still carries its NOTIFY in its own statement (one round trip), and is heard", async () => {
    const table = freshTable();
    const watcher = open(table);
    const heard = collectChanges(watcher);
    await listening(table);
    const { store, statements } = openRecorded(table);
    await store.list("");
    statements.length = 0;
    const keys = keysOf(prefixFor("alone"), 3);
    for (const key of keys) {
      const arrived = heard.arrival(key, 5000);
      await store.set(key, { v: 1 });
      await arrived;
    }
    expect(statements.filter(isCombined)).toHaveLength(3);
    expect(statements.filter(isBatch)).toEqual([]);
    expect(heard.keys).toEqual(keys);
  });

  it("a process that exits the moment its 50 concurrent sets resolved has sent every notice", async () => {
    const table = freshTable();
    const watcher = open(table);
    const heard = collectChanges(watcher);
    await listening(table);
    const prefix = prefixFor("exit");
    const keys = keysOf(prefix, 50);
    const child = forkTsx(worker, ["burst", POSTGRES_URL, table, prefix, "50"]);
    children.push(child);
    await message(child, "ready");
    const gone = exited(child);
    child.send("go");
    expect(await gone).toBe(0);
    await waitUntil(() => keys.every((key) => heard.keys.includes(key)), 20_000, "all 50 notices of the exited child");
    const reader = open(table);
    expect(await reader.get(keys[49] as string)).toEqual({ n: 49 });
  }, 60_000);

  it("a write that fails in a batch sends no notice for itself and loses none of the others'", async () => {
    // A trigger refuses one key: a real failure of one upsert among concurrent ones.
    const table = freshTable();
    const refuse = `${table}_refuse`;
    await admin.query(`CREATE FUNCTION "${refuse}"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key LIKE '%poison' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    try {
      const watcher = open(table);
      const heard = collectChanges(watcher);
      await listening(table);
      const { store, statements } = openRecorded(table);
      await store.list("");
      await admin.query(
        `CREATE TRIGGER "${refuse}" BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION "${refuse}"()`,
      );
      statements.length = 0;
      const prefix = prefixFor("poison");
      const good = keysOf(prefix, 20);
      const poison = `${prefix}poison`;
      // The poisoned write is not the first: it runs in company, without its own NOTIFY.
      const outcomes = await Promise.allSettled(
        [...good.slice(0, 10), poison, ...good.slice(10)].map((key) => store.set(key, { v: 1 })),
      );
      expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([
        { status: "rejected", reason: expect.objectContaining({ code: "ERR_STORE_UNAVAILABLE" }) },
      ]);
      expect(statements.filter(isBatch).length).toBeGreaterThanOrEqual(1);
      await waitUntil(() => good.every((key) => heard.keys.includes(key)), 10_000, "the 20 good notices");
      // Notices arrive in commit order: one sent after these would follow the poisoned one, had it been sent.
      const sentinel = `${prefix}sentinel`;
      const arrived = heard.arrival(sentinel, 5000);
      await store.set(sentinel, { v: 2 });
      await arrived;
      expect(heard.keys).not.toContain(poison);
      expect(heard.keys.toSorted()).toEqual([...good, sentinel].toSorted());
      expect(await store.get(poison)).toBeUndefined();
    } finally {
      await admin.query(`DROP TRIGGER IF EXISTS "${refuse}" ON "${table}"`);
      await admin.query(`DROP FUNCTION IF EXISTS "${refuse}"()`);
    }
  });

  it("a batch still goes out when the write it waited for fails last", async () => {
    // The refused write is held on a row lock the test owns, so it ends after every other write of its batch.
    const table = freshTable();
    const refuse = `${table}_refuse`;
    await admin.query(`CREATE FUNCTION "${refuse}"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key LIKE '%late' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    const holder = await admin.connect();
    try {
      const watcher = open(table);
      const { store } = openRecorded(table);
      await store.list("");
      const prefix = prefixFor("late");
      const late = `${prefix}late`;
      // Written behind the store's back: no notice of it can reach the watcher below.
      await admin.query(`INSERT INTO "${table}" (id, key, value) VALUES (sha256(convert_to($1, 'UTF8')), $1, '{}')`, [
        late,
      ]);
      await admin.query(
        `CREATE TRIGGER "${refuse}" BEFORE UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "${refuse}"()`,
      );
      const heard = collectChanges(watcher);
      await listening(table);
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "${table}" WHERE key = $1 FOR UPDATE`, [late]);
      const good = keysOf(prefix, 20);
      const outcomes = Promise.allSettled(
        [...good.slice(0, 10), late, ...good.slice(10)].map((key) => store.set(key, { v: 1 })),
      );
      await waitUntil(
        async () => {
          const { rows } = await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
            [`%"${table}"%`],
          );
          return rows[0]?.n === 1;
        },
        10_000,
        "the refused write to wait on the row lock",
      );
      await holder.query("COMMIT");
      expect((await outcomes).filter((outcome) => outcome.status === "rejected")).toEqual([
        { status: "rejected", reason: expect.objectContaining({ code: "ERR_STORE_UNAVAILABLE" }) },
      ]);
      await waitUntil(() => good.every((key) => heard.keys.includes(key)), 10_000, "the 20 good notices");
      const sentinel = `${prefix}sentinel`;
      const arrived = heard.arrival(sentinel, 5000);
      await store.set(sentinel, { v: 2 });
      await arrived;
      expect(heard.keys.toSorted()).toEqual([...good, sentinel].toSorted());
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      holder.release();
      await admin.query(`DROP TRIGGER IF EXISTS "${refuse}" ON "${table}"`);
      await admin.query(`DROP FUNCTION IF EXISTS "${refuse}"()`);
    }
  });

  it("concurrent deletes each tell the watchers; a delete that found nothing tells nothing", async () => {
    const table = freshTable();
    const watcher = open(table);
    const { store } = openRecorded(table);
    const prefix = prefixFor("deletes");
    const present = keysOf(prefix, 10);
    await Promise.all(present.map((key) => store.set(key, { v: 1 })));
    const heard = collectChanges(watcher);
    await listening(table);
    const absent = `${prefix}absent`;
    const removed = await Promise.all([absent, ...present].map((key) => store.delete(key)));
    expect(removed).toEqual([false, ...present.map(() => true)]);
    const sentinel = `${prefix}sentinel`;
    const arrived = heard.arrival(sentinel, 5000);
    await store.set(sentinel, { v: 1 });
    await arrived;
    expect(heard.keys.toSorted()).toEqual([...present, sentinel].toSorted());
  });

  it("understands a notice in the format of earlier releases ({ k, o }), one per NOTIFY", async () => {
    const table = freshTable();
    const watcher = open(table);
    const heard = collectChanges(watcher);
    await listening(table);
    const key = `${prefixFor("older")}password`;
    const arrived = heard.arrival(key, 5000);
    await admin.query("SELECT pg_notify($1, $2)", [
      `${table}_changes`,
      JSON.stringify({ k: key, o: "an-older-process" }),
    ]);
    await arrived;
    expect(heard.keys).toEqual([key]);
  });
});
