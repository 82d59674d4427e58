import { readFile, writeFile } from "node:fs/promises";
import { createClient } from "@redis/client";
import pg from "pg";
import sqlite3 from "sqlite3";
import { POSTGRES_URL, REDIS_URL, uniqueId } from "../fixtures.js";

/**
 * A backend used directly, with no SessionManager or adapter in between: the
 * baseline each store is measured against. Every baseline parses on read and
 * serialises on write, because every store must too.
 */
export interface RawBackend {
  get(key: string): unknown;
  set(key: string, record: object): unknown;
  close(): Promise<void>;
}

/** A plain Map of JSON text. */
export function rawMap(): RawBackend {
  const map = new Map<string, string>();
  return {
    get: (key) => {
      const text = map.get(key);
      return text === undefined ? undefined : JSON.parse(text);
    },
    set: (key, record) => {
      map.set(key, JSON.stringify(record));
    },
    close: async () => map.clear(),
  };
}

/** The file store's document: `{ sessionstore: 1, records: { [key]: { record: "<JSON text>" } }, locks }`. */
interface FileDocument {
  records?: Record<string, { record?: unknown } | undefined>;
}

/**
 * `fs` on one JSON file: `get` reads and parses `readPath` (the store's own
 * file, so the same bytes) and the record text inside it, as any reader of that
 * file must; `set` writes the same document shape to `writePath` beside it, so
 * the baseline never disturbs the store. A bare `writeFile`: no lock, no fsync.
 */
export function rawFile(readPath: string, writePath: string): RawBackend {
  return {
    get: async (key) => {
      const document = JSON.parse(await readFile(readPath, "utf8")) as FileDocument;
      const text = document.records?.[key]?.record;
      return typeof text === "string" ? JSON.parse(text) : undefined;
    },
    set: (key, record) => {
      const document = { sessionstore: 1, records: { [key]: { record: JSON.stringify(record) } }, locks: {} };
      return writeFile(writePath, JSON.stringify(document));
    },
    close: async () => {},
  };
}

function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
}

/** `sqlite3` queries on a table of its own in `path` (the store's database file, so journal mode and disk are the same). */
export async function rawSqlite(path: string): Promise<RawBackend> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(path, (error) => (error ? reject(error) : resolve(opened)));
  });
  const table = `bench_raw_${uniqueId()}`;
  await run(db, `CREATE TABLE ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const select = `SELECT value FROM ${table} WHERE key = ?`;
  const upsert = `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`;
  return {
    get: (key) =>
      new Promise((resolve, reject) =>
        db.get<{ value: string } | undefined>(select, [key], (error, row) =>
          error ? reject(error) : resolve(row ? JSON.parse(row.value) : undefined),
        ),
      ),
    set: (key, record) => run(db, upsert, [key, JSON.stringify(record)]),
    close: async () => {
      await run(db, `DROP TABLE IF EXISTS ${table}`);
      await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** `@redis/client` GET/SET on one connection (it pipelines concurrent commands by itself), keys under a unique prefix. */
export async function rawRedis(): Promise<RawBackend & { readonly prefix: string }> {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  const prefix = `sessionstore-bench-raw-${uniqueId()}:`;
  const written = new Set<string>();
  return {
    prefix,
    get: async (key) => {
      const text = await client.get(prefix + key);
      return text === null ? undefined : JSON.parse(text);
    },
    set: (key, record) => {
      written.add(prefix + key);
      return client.set(prefix + key, JSON.stringify(record));
    },
    close: async () => {
      if (written.size > 0) await client.del([...written]);
      await client.close();
    },
  };
}

/** `pg` queries through a Pool (as @keyv/postgres uses) on a unique table, dropped on close. */
export async function rawPostgres(): Promise<RawBackend> {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL });
  const table = `bench_raw_${uniqueId()}`;
  await pool.query(`CREATE TABLE ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT NOT NULL)`);
  const select = `SELECT value FROM ${table} WHERE key = $1`;
  const upsert = `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  return {
    get: async (key) => {
      const result = await pool.query<{ value: string }>(select, [key]);
      const row = result.rows[0];
      return row ? JSON.parse(row.value) : undefined;
    },
    set: (key, record) => pool.query(upsert, [key, JSON.stringify(record)]),
    close: async () => {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
      await pool.end();
    },
  };
}

/** Deletes every key starting with `prefix` (a unique, glob-free bench prefix). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}
