import { join } from "node:path";
import KeyvPostgres from "@keyv/postgres";
import { createFileStore } from "@sessionstore/file";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import Keyv from "keyv";
import pg from "pg";
import { CALLERS, POSTGRES_URL, REDIS_URL, tempDir, uniqueId } from "../fixtures.js";
import { deleteRedisKeys, rawFile, rawPostgres, rawRedis, rawSqlite } from "./baselines.js";
import type { BackendSpec } from "./stores.js";

/** The file store beside `fs` reading the store's own file and writing one beside it. */
export const fileSpec: BackendSpec = {
  group: "file",
  rawLabel: "raw fs",
  async open() {
    const dir = tempDir("file");
    const path = join(dir.path, "sessions.json");
    const store = createFileStore({ path });
    const raw = rawFile(path, join(dir.path, "raw.json"));
    return {
      store,
      raw,
      async close() {
        await store.close();
        await raw.close();
        dir.remove();
      },
    };
  },
  targets: [{ op: "get", callers: 1, line: "File store get ≥ 0.8× raw fs read of the same file (unchanged file)" }],
  notes: [
    "file: raw fs `get` is readFile + JSON.parse of the store's own file and of the record text in it; raw `set` " +
      "is a bare writeFile of the same document beside it (no lock, no fsync, no rename), so the store's crash- and multi-process-safe `set` " +
      "(lock, re-read, unique temp file, fsync, rename) is expected to be far slower: no target applies to it.",
  ],
};

/** The SQLite store beside raw sqlite3 queries on a table of their own in the same database file. */
export const sqliteSpec: BackendSpec = {
  group: "sqlite",
  rawLabel: "raw sqlite3",
  async open() {
    const dir = tempDir("sqlite");
    const path = join(dir.path, "sessions.db");
    const store = createSqliteStore({ path });
    // The store first: it sets the database up (journal mode) before the baseline shares the file.
    await store.get("warm-up");
    const raw = await rawSqlite(path);
    return {
      store,
      raw,
      async close() {
        await raw.close();
        await store.close();
        dir.remove();
      },
    };
  },
  targets: [{ op: "get", callers: 1, line: "SQLite store get ≥ 0.8× raw sqlite3 query" }],
};

/** The Redis store beside raw @redis/client GET/SET, 1 and 50 callers, unique key prefixes, removed afterwards. */
export const redisSpec: BackendSpec = {
  group: "redis",
  rawLabel: "raw @redis/client",
  callers: [1, CALLERS],
  async open() {
    const namespace = `sessionstore-bench-${uniqueId()}`;
    const store = createRedisStore({ url: REDIS_URL, keyPrefix: namespace });
    const raw = await rawRedis();
    return {
      store,
      raw,
      async close() {
        await store.close();
        await raw.close();
        await deleteRedisKeys(`${namespace}:`);
      },
    };
  },
  whenMissed:
    "redis (what limits it, from `node --cpu-prof` on Node 20, bench/src/profile/redis-50.ts): at 50 callers raw " +
    "GET/SET cost ~4 µs per operation in all, so 0.8× leaves ~1 µs above the driver. `get`: decoding the record now " +
    "takes a structural fast path on Node (~+15% throughput; the browser build keeps the full normaliser), and what " +
    "is left is the envelope parse beyond raw's, the deadline timer, the read-your-writes subscription each read " +
    "takes (so a read in flight answers with a later write) and the async frames of store and SessionManager. " +
    "`set`: the store announces every write to other instances (watch); SET and PUBLISH are now sent in the same " +
    "tick on one connection (one round trip, Redis runs them in order; keyv's set layers skipped like get's), which " +
    "moved 1 caller from 0.40–0.44× to 0.60–0.65× but 50 callers barely (0.31–0.37× to 0.36–0.37×): there Redis " +
    "still runs two commands per write where raw runs one, and the per-call deadline timer, `normalizeAuthObject` on " +
    "the caller's object (required: it is input), the per-key write queue and SessionManager's frames remain.",
  targets: [1, CALLERS].flatMap((callers) =>
    (["get", "set"] as const).map((op) => ({
      op,
      callers,
      line: `Redis store ${op} ≥ 0.8× raw @redis/client throughput, ${callers} caller${callers > 1 ? "s" : ""}`,
    })),
  ),
};

/** Keyv on PostgreSQL (a unique table, dropped afterwards) beside raw `pg` queries. */
export const keyvPostgresSpec: BackendSpec = {
  group: "keyv-postgres",
  rawLabel: "raw pg",
  callers: [1, CALLERS],
  async open() {
    const table = `bench_keyv_${uniqueId()}`;
    const adapter = new KeyvPostgres({ uri: POSTGRES_URL, table });
    const keyv = new Keyv({ store: adapter });
    const store = createKeyvStore({ keyv });
    const raw = await rawPostgres();
    return {
      store,
      raw,
      async close() {
        await store.close();
        await raw.close();
        await adapter.disconnect();
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        try {
          await admin.query(`DROP TABLE IF EXISTS ${table}`);
        } finally {
          await admin.end();
        }
      },
    };
  },
};
