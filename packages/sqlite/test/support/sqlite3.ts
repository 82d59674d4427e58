import { createRequire } from "node:module";

/** The few sqlite3 (node-sqlite3) members the tests use. */
interface RawDatabase {
  all(sql: string, parameters: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  run(sql: string, parameters: unknown[], callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
}
type RawDatabaseConstructor = new (path: string, callback: (error: Error | null) => void) => RawDatabase;

// sqlite3 is @keyv/sqlite's dependency, not ours: resolve it from there, so the
// tests read the file with the very driver the store uses, on a separate connection.
const requireHere = createRequire(import.meta.url);
const requireFromAdapter = createRequire(requireHere.resolve("@keyv/sqlite"));
const sqlite3 = requireFromAdapter("sqlite3") as { Database: RawDatabaseConstructor };

/** A second, raw connection to a database file, to read and write behind the store's back. */
export interface RawConnection {
  all(sql: string, parameters?: unknown[]): Promise<unknown[]>;
  run(sql: string, parameters?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function openRaw(path: string): Promise<RawConnection> {
  const db = await new Promise<RawDatabase>((resolve, reject) => {
    const opened: RawDatabase = new sqlite3.Database(path, (error) => (error ? reject(error) : resolve(opened)));
  });
  return {
    all: (sql, parameters = []) =>
      new Promise((resolve, reject) =>
        db.all(sql, parameters, (error, rows) => (error ? reject(error) : resolve(rows))),
      ),
    run: (sql, parameters = []) =>
      new Promise((resolve, reject) => db.run(sql, parameters, (error) => (error ? reject(error) : resolve()))),
    close: () => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The `value` column at `key` in `table`, or `undefined` when there is no row. */
export async function rawValue(path: string, key: string, table = "sessions"): Promise<unknown> {
  const raw = await openRaw(path);
  try {
    const rows = (await raw.all(`SELECT value FROM ${table} WHERE key = ?`, [key])) as Array<{ value: unknown }>;
    return rows[0]?.value;
  } finally {
    await raw.close();
  }
}

/** Writes `value` at `key` in `table` as it is (garbage, for corruption tests). */
export async function writeRaw(path: string, key: string, value: string, table = "sessions"): Promise<void> {
  const raw = await openRaw(path);
  try {
    await raw.run(
      `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  } finally {
    await raw.close();
  }
}
