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
    "at 50 callers raw GET/SET cost ~5 µs of client CPU per operation in all (node-redis pipelines them), so 0.8× " +
    "leaves ~1.2 µs for everything a SessionManager and the store add. `get`: JSON.parse of the envelope (~12% of " +
    "the process, raw parses too), validating the decoded session (~5%), the read-your-writes subscription each " +
    "read takes so a read in flight answers with a later write (~5%), the deadline timer and the async frames of " +
    "store and SessionManager. `set`: serialising (~11%, raw serialises too) and `normalizeAuthObject` on the " +
    "caller's object (~7%: it is input, it must be checked); every write is announced to the other instances " +
    "(watch): a PUBLISH per write alone capped raw SET at 0.67× (measured: 250k vs 168k ops/s), so the writes of " +
    "one turn now share one PUBLISH sent in the same socket write (set ×50 0.43× → 0.47×). 1 caller is one round " +
    "trip either way and meets 0.8×.",
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
