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
    "redis (what limits it, from `node --cpu-prof` on Node 20 over the built packages, bench/src/profile/redis-50.ts): " +
    "1 caller is one round trip either way; what the store adds per call is the envelope (its JSON is parsed once " +
    "per distinct stored text: an unchanged session is copied, not parsed again), validating the session, the " +
    "read-your-writes bookkeeping, the deadline timer and, for `set`, normalising the caller's object and the " +
    "change notice (one PUBLISH per turn, sent in the same socket write as the SET). The 50-caller rows are " +
    'reported beside raw, no longer a target: see "Goals decided against".',
  // With 1 caller a call is a round trip either way; at 50 the raw row is node-redis's pipelined client CPU alone.
  targets: (["get", "set"] as const).map((op) => ({
    op,
    callers: 1,
    line: `Redis store ${op} ≥ 0.8× raw @redis/client throughput, 1 caller`,
  })),
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
