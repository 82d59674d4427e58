import { SessionStoreError } from "@sessionstore/core";

/** Options for {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file. Relative paths are resolved against the working
   * directory when the store is made. A missing directory is created with
   * mode 0700, a missing file with mode 0600.
   * @default ".sessionstore/sessions.db"
   */
  path?: string;
  /**
   * Table of the records; locks go in `<table>_locks`. A letter, then up to
   * 62 letters, digits or underscores.
   * @default "sessions"
   */
  table?: string;
  /**
   * How long a statement waits for another connection's write lock before
   * failing with `SQLITE_BUSY` (SQLite's `busy_timeout`), in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * How often expired records (and ended lock leases) are deleted while the
   * store is open, in milliseconds; `0` turns the timer off. They are also
   * deleted when the database is opened, and by {@link SqliteStore.purgeExpired}.
   * The timer is `unref`'d: it never keeps the process alive.
   * @default 60000
   */
  purgeIntervalMs?: number;
  /**
   * Delete expired records once when the database is opened. `false` for a
   * store that only inspects (the CLI's `list` and `show`), so opening it
   * deletes nothing.
   * @default true
   */
  purgeOnOpen?: boolean;
  /**
   * How often a waiting `lock()` tries again, in milliseconds (jittered).
   * @default 25
   */
  lockPollMs?: number;
  /**
   * Clock for record expiry and lock leases, epoch milliseconds. Every process
   * sharing the file must use the same clock: inject one only in tests.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How often `watch()` reads `PRAGMA data_version` (a counter SQLite bumps
   * when another connection commits) while someone watches, in milliseconds.
   * Records are read and compared only when it moved. No timer runs while
   * nobody watches.
   * @default 200
   */
  watchPollMs?: number;
}

/** {@link SqliteStoreOptions} with defaults applied and every value checked. */
export interface SqliteSettings {
  readonly path: string;
  readonly table: string;
  readonly busyTimeoutMs: number;
  readonly purgeIntervalMs: number;
  readonly purgeOnOpen: boolean;
  readonly lockPollMs: number;
  readonly watchPollMs: number;
  readonly now: () => number;
}

/** The default database file, relative to the working directory. */
const DEFAULT_PATH = ".sessionstore/sessions.db";

// A letter first: @keyv/sqlite silently prefixes other names with "_", and the
// name is spliced into SQL, so nothing but [A-Za-z0-9_] may pass.
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

function invalid(field: string, message: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `options.${field} ${message}`, { field: `options.${field}` });
}

function duration(value: unknown, field: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > 2_147_483_647) {
    throw invalid(field, `must be an integer from ${minimum} to 2147483647 (milliseconds)`);
  }
  return value;
}

/** Applies defaults and validates. @throws `ERR_INVALID_ARGUMENT` naming the option. */
export function readSqliteOptions(options: SqliteStoreOptions): SqliteSettings {
  if (typeof options !== "object" || options === null) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options must be an object", { field: "options" });
  }
  const { path = DEFAULT_PATH, table = "sessions", now = Date.now } = options;
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
    throw invalid("path", "must be a non-empty file path");
  }
  if (path === ":memory:" || path.startsWith("file:")) {
    throw invalid("path", "must be a file path (in-memory and URI databases are not supported)");
  }
  if (typeof table !== "string" || !TABLE_NAME.test(table) || table.toLowerCase().startsWith("sqlite_")) {
    throw invalid("table", "must be a letter followed by up to 62 letters, digits or underscores (not sqlite_*)");
  }
  if (typeof now !== "function") throw invalid("now", "must be a function");
  const { purgeOnOpen = true } = options;
  if (typeof purgeOnOpen !== "boolean") throw invalid("purgeOnOpen", "must be true or false");
  return {
    path,
    table,
    now,
    busyTimeoutMs: duration(options.busyTimeoutMs, "busyTimeoutMs", 5_000, 0),
    purgeIntervalMs: duration(options.purgeIntervalMs, "purgeIntervalMs", 60_000, 0),
    lockPollMs: duration(options.lockPollMs, "lockPollMs", 25, 1),
    purgeOnOpen,
    watchPollMs: duration(options.watchPollMs, "watchPollMs", 200, 1),
  };
}
