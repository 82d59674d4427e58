import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { collectChanges, tcpProxy, untilWatching, waitUntil } from "@sessionstore/testkit/support";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { dropTables, listeners, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";
import { startPrivatePostgres } from "./support/private-postgres.js";

const worker = fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url));
const table = uniqueTable("watch");
const admin = testPool();
const stores: PostgresStore[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

function open(url = POSTGRES_URL, onTable = table): PostgresStore {
  const store = createPostgresStore({ url, table: onTable });
  stores.push(store);
  return store;
}

const key = (label: string) => `sessionstore:${label}-${globalThis.crypto.randomUUID()}:password`;

describe("postgres watch (LISTEN/NOTIFY)", () => {
  it("a set and a delete by another store instance (its own pool) reach the listener within 1 s", async () => {
    const [watcher, writer] = [open(), open()];
    const seen = collectChanges(watcher);
    await waitUntil(async () => (await listeners(admin, table)) === 1, 10_000, "the LISTEN connection");
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
    const watcher = open();
    const seen = collectChanges(watcher);
    await waitUntil(async () => (await listeners(admin, table)) === 1, 10_000, "the LISTEN connection");
    const written = key("process");
    const child = fork(worker, ["set", POSTGRES_URL, table, written, "0"], {
      execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    await new Promise<void>((resolve) => child.once("message", () => resolve()));
    // Armed before "go": the notification may well beat the child's "written" message.
    const arrived = seen.arrival(written, 30_000);
    const reported = new Promise<number>((resolve) => child.once("message", () => resolve(Date.now())));
    child.send("go");
    const [arrivedAt, writtenAt] = await Promise.all([arrived, reported]);
    expect(arrivedAt - writtenAt).toBeLessThan(1000);
  }, 60_000);

  it("does not report the store's own writes (documented), only other instances'", async () => {
    const [watcher, writer] = [open(), open()];
    const seen = collectChanges(watcher);
    // Once it listens: keys it used before that are reported then (see below).
    await untilWatching(seen, writer);
    const own = key("own");
    const other = key("other");
    await watcher.set(own, { v: 1 });
    await watcher.delete(own);
    const arrived = seen.arrival(other, 1000);
    // Notifications arrive in commit order: had the own writes been reported, they would be here first.
    await writer.set(other, { v: 1 });
    await arrived;
    expect(seen.keys).toEqual([other]);
  });

  it("holds no connection while nobody watches; unsubscribe and close() end it; unsubscribed listeners hear nothing", async () => {
    const onTable = uniqueTable("listen");
    const [watcher, writer, witness] = [
      open(POSTGRES_URL, onTable),
      open(POSTGRES_URL, onTable),
      open(POSTGRES_URL, onTable),
    ];
    try {
      await writer.set(key("warm"), { v: 0 });
      expect(await listeners(admin, onTable)).toBe(0);
      const first = collectChanges(watcher);
      const second = collectChanges(watcher);
      await waitUntil(async () => (await listeners(admin, onTable)) === 1, 10_000, "one LISTEN connection");
      first.stop();
      first.stop();
      // One subscription left: the connection stays.
      expect(await listeners(admin, onTable)).toBe(1);
      second.stop();
      await waitUntil(async () => (await listeners(admin, onTable)) === 0, 10_000, "the LISTEN connection to end");

      // A witness still hears the change the unsubscribed watcher must not.
      const witnessed = collectChanges(witness);
      await waitUntil(async () => (await listeners(admin, onTable)) === 1, 10_000, "the witness' LISTEN");
      const changed = key("after-stop");
      const arrived = witnessed.arrival(changed, 1000);
      await writer.set(changed, { v: 1 });
      await arrived;
      expect([...first.keys, ...second.keys]).toEqual([]);

      await witness.close();
      await waitUntil(async () => (await listeners(admin, onTable)) === 0, 10_000, "close() to end the LISTEN");
    } finally {
      await dropTables(admin, onTable);
    }
  });

  it("listens again after the server restarts, and reports later changes", async () => {
    const server = await startPrivatePostgres();
    const probe = new pg.Pool({ connectionString: server.url, max: 1 });
    // The restart ends the probe's idle connection too: an idle pool client's error is expected here, not a crash.
    probe.on("error", () => undefined);
    try {
      const onTable = uniqueTable("restart");
      const [watcher, writer] = [open(server.url, onTable), open(server.url, onTable)];
      const seen = collectChanges(watcher);
      const listening = async () => {
        const { rows } = await probe.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1",
          [`LISTEN "${onTable}_changes"`],
        );
        return rows[0]?.n === 1;
      };
      await waitUntil(listening, 10_000, "the LISTEN connection");
      await server.stop();
      await server.start();
      await waitUntil(() => listening().catch(() => false), 20_000, "the LISTEN connection after the restart");
      const changed = key("after-restart");
      const arrived = seen.arrival(changed, 5000);
      await writer.set(changed, { v: 1 });
      await arrived;
    } finally {
      await probe.end();
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await server.destroy();
    }
  }, 60_000);
});

/** A real pool whose LISTEN statements are sent only once `open()` is called. */
function poolWithHeldListen() {
  const pool = testPool();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const withCallback = pool.connect.bind(pool) as (callback: unknown) => void;
  // pool.query checks out through connect(callback): that path stays as it is.
  const held = (callback?: unknown) => (callback ? withCallback(callback) : listenHeld());
  const listenHeld = async () => {
    const client = await connect();
    // The client goes back to the pool and serves pool.query (a config object, a callback)
    // later: everything but a LISTEN passes through exactly as called.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    return Object.assign(client, {
      query: (...args: unknown[]) =>
        typeof args[0] === "string" && args[0].startsWith("LISTEN") ? gate.then(() => query(...args)) : query(...args),
    });
  };
  return { pool: Object.assign(pool, { connect: held }), open };
}

describe("postgres watch: what this instance used before its LISTEN was confirmed", () => {
  it("a key read before the connection listened, changed meanwhile, is reported once it listens", async () => {
    const held = poolWithHeldListen();
    const watched = createPostgresStore({ pool: held.pool, table });
    const writer = open();
    try {
      const session = key("early");
      await writer.set(session, { v: 1 });
      await writer.set(key("untouched"), { v: 1 });
      const heard: string[] = [];
      watched.watch((change) => heard.push(change.key));
      // The restore: read while the connection is not yet listening.
      expect(await watched.get(session)).toEqual({ v: 1 });
      // Another instance refreshes it now: its notification reaches no listener of ours.
      await writer.set(session, { v: 2 });
      expect(await listeners(admin, table)).toBe(0);
      expect(heard).toEqual([]);

      held.open();
      await waitUntil(() => heard.length > 0, 10_000, "the kept key's report");
      expect(heard).toEqual([session]);
      // Listening now: a later change arrives as a notification, the kept key is not reported again.
      await writer.set(session, { v: 3 });
      await waitUntil(() => heard.length > 1, 10_000, "the notification");
      expect(heard).toEqual([session, session]);
    } finally {
      await watched.close();
      await held.pool.end();
    }
  });
});

describe("postgres watch: a LISTEN connection that dropped", () => {
  it("reports, once it listens again, a key it used before the drop that another instance changed meanwhile", async () => {
    // This instance reaches the server through a proxy the test cuts; the other one directly.
    const proxy = await tcpProxy(Number(new URL(POSTGRES_URL).port || 5432));
    const through = new URL(POSTGRES_URL);
    through.hostname = "127.0.0.1";
    through.port = String(proxy.port);
    const watched = open(through.href);
    const writer = open();
    const seen = collectChanges(watched);
    try {
      const session = key("dropped");
      const untouched = key("untouched");
      await writer.set(session, { v: 1 });
      await writer.set(untouched, { v: 1 });
      // The restore, then the watch established as a running client's is.
      expect(await watched.get(session)).toEqual({ v: 1 });
      await untilWatching(seen, writer);

      proxy.cut();
      await waitUntil(async () => (await listeners(admin, table)) === 0, 10_000, "the LISTEN connection to end");
      // A logout elsewhere while this instance is cut off: its notification reaches no listener of ours.
      expect(await writer.delete(session)).toBe(true);
      await writer.set(untouched, { v: 2 });
      expect(seen.keys).toEqual([]);

      const reported = seen.arrival(session, 20_000);
      proxy.heal();
      await reported;
      expect(await watched.get(session)).toBeUndefined();
      // Only keys this instance used: the other one changed too, but it never read or wrote it.
      expect(seen.keys).not.toContain(untouched);
      // Listening again: a later change arrives as a notification.
      const next = seen.arrival(session, 10_000);
      await writer.set(session, { v: 3 });
      await next;
    } finally {
      seen.stop();
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await proxy.close();
    }
  }, 60_000);
});
