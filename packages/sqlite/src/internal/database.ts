import { constants } from "node:fs";
import { chmod, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { loadSqliteDriver } from "./driver.js";

/** What {@link openDatabase} needs. */
export interface DatabaseConfig {
  /** Absolute path of the database file. */
  readonly path: string;
  /** Validated identifier of the records table; locks live in `<table>_locks`. */
  readonly table: string;
  readonly busyTimeoutMs: number;
}

/**
 * One open database. @keyv/sqlite opens the connection and creates the records
 * table (`key` primary key, `value` text); every statement is ours. Keyv itself
 * is not used: it wrapped each record in a second JSON layer and its expiry
 * deletes on read, which is not atomic across processes.
 */
export interface Database {
  /** Runs one statement on the same connection; resolves the rows (SELECT, RETURNING). */
  query(sql: string, parameters?: readonly unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Creates the directory (0700) and the file (0600) when they are missing:
 * SQLite would create the file with the umask's mode (often 0644, readable by
 * every local user), and it gives the `-wal`/`-shm` files the mode of the
 * database file. An existing file keeps its mode.
 */
async function prepareFile(path: string): Promise<void> {
  const directory = dirname(path);
  const firstCreated = await mkdir(directory, { recursive: true, mode: 0o700 });
  if (firstCreated !== undefined) await chmod(directory, 0o700);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    await handle.chmod(0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Opens (creating when needed) the database: WAL mode so readers never wait
 * for the writer, a busy timeout so a writer waits for another process's
 * write instead of failing with `SQLITE_BUSY` (@keyv/sqlite sets none unless
 * given `busyTimeout`), and the lock table.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  // The driver first: a missing native binding must not leave a new empty file behind.
  const KeyvSqlite = await loadSqliteDriver();
  await prepareFile(config.path);
  const adapter = new KeyvSqlite({
    uri: `sqlite://${config.path}`,
    table: config.table,
    busyTimeout: config.busyTimeoutMs,
  });
  // The adapter is an EventEmitter that emits a failed connection as `error`
  // (thrown when nobody listens); the same failure rejects every query, which
  // is where it is reported. The first query runs in this same tick:
  // @keyv/sqlite's connection promise needs a handler before it can reject.
  adapter.on("error", () => undefined);
  const query = async (sql: string, parameters: readonly unknown[] = []): Promise<unknown[]> => {
    const rows: unknown = await adapter.query(sql, [...parameters]);
    return Array.isArray(rows) ? rows : [];
  };
  try {
    // Also when 0: @keyv/sqlite skips a falsy busyTimeout, and node-sqlite3 then keeps its own 1000 ms.
    await query(`PRAGMA busy_timeout = ${Math.trunc(config.busyTimeoutMs)}`);
    await query("PRAGMA journal_mode = WAL");
    await query(
      `CREATE TABLE IF NOT EXISTS ${config.table}_locks (name TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
    );
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw error;
  }
  return {
    query,
    close: () => adapter.close(),
  };
}
