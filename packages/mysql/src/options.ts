import { invalidOption, positiveMs, serverStoreSettings, type UrlOrPool, urlOrPool } from "@sessionstore/core/adapter";

/** A connection checked out of a pool (`PoolConnection` of `mysql2/promise`), narrowed to what the store uses. */
export interface MysqlPoolConnection {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  release(): void;
  /** Closes the connection instead of returning it (after a failure mid-transaction). */
  destroy(): void;
}

/**
 * What the store needs of a mysql2 promise pool (`createPool()` from
 * `mysql2/promise`). Kept structural so the package's types stay small and
 * two installed copies of mysql2 accept each other's pools.
 */
export interface MysqlPool {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  getConnection(): Promise<MysqlPoolConnection>;
  end(): Promise<void>;
}

/** A mysql2 callback pool (`createPool()` from `mysql2`): the store uses it through `promise()`. */
export interface MysqlCallbackPool {
  promise(): MysqlPool;
}

/** Options for {@link createMysqlStore}. Give exactly one of `url` and `pool`. */
export interface MysqlStoreOptions {
  /**
   * Where MySQL or MariaDB is (`mysql://[user[:password]@]host[:port]/database`,
   * `mariadb://` is accepted too). The store creates its own mysql2 pool, owns
   * it and ends it in `close()`.
   */
  url?: string | undefined;
  /**
   * A mysql2 pool you created: a promise pool (`createPool()` from
   * `mysql2/promise`) or a callback pool (`createPool()` from `mysql2`, used
   * through its `promise()`). The store never ends it, not even in `close()`.
   */
  pool?: MysqlPool | MysqlCallbackPool | undefined;
  /**
   * Table of the records; locks go in `<table>_locks` and the change log
   * `watch` reads in `<table>_changes`. A letter or underscore, then up to 47
   * letters, digits or underscores. Created by the store on first use.
   * @default "sessionstore_sessions"
   */
  table?: string | undefined;
  /**
   * How long the store waits for a connection before a call fails with
   * `ERR_STORE_UNAVAILABLE` (also mysql2's `connectTimeout` of a pool it creates).
   * @default 5000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * How long the statements of one call may take. A call therefore settles
   * within `connectTimeoutMs + commandTimeoutMs`.
   * @default 5000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * How often a `lock()` waiting for a lock held elsewhere tries again, in milliseconds.
   * @default 25
   */
  lockPollMs?: number | undefined;
  /**
   * How often the change log is read while someone watches, in milliseconds:
   * the latency of `watch`. Nothing is polled while nobody watches.
   * @default 250
   */
  watchPollMs?: number | undefined;
}

/** The table used when no `table` is given. */
export const DEFAULT_MYSQL_TABLE = "sessionstore_sessions";

/** Options with defaults applied and every field checked. */
export interface ResolvedMysqlOptions {
  readonly source: UrlOrPool<MysqlPool>;
  readonly table: string;
  /** `host:port/database`, for messages: never the user or password. */
  readonly server: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly lockPollMs: number;
  readonly watchPollMs: number;
}

const invalid = invalidOption;

/** `host:port/database` of a URL; never echoes the URL (it may carry a password). */
function serverOfUrl(url: unknown): string {
  if (typeof url !== "string" || !/^(mysql|mariadb):\/\/./i.test(url)) {
    throw invalid("url", "must be a mysql:// or mariadb:// URL");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("url", "must be a mysql:// or mariadb:// URL");
  }
  const host = decodeURIComponent(parsed.hostname) || "localhost";
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (database === "") throw invalid("url", "must name a database (mysql://host:port/database)");
  return `${host}:${parsed.port || "3306"}/${database}`;
}

/** `host:port/database` of a mysql2 pool, from its connection config. */
function serverOfPool(pool: MysqlPool): string {
  const config =
    (pool as { pool?: { config?: { connectionConfig?: Record<string, unknown> } } }).pool?.config?.connectionConfig ??
    {};
  const host = typeof config.host === "string" ? config.host : "localhost";
  const port = typeof config.port === "number" ? config.port : 3306;
  const database = typeof config.database === "string" ? config.database : "";
  return `${host}:${port}/${database}`;
}

function isMysqlPool(value: unknown): value is MysqlPool {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.query === "function" &&
    typeof candidate.getConnection === "function" &&
    typeof candidate.end === "function"
  );
}

/** A callback pool is used through its promise wrapper (which, unlike the pool itself, has a `pool` property). */
function promisePool(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "pool" in value) return value;
  const candidate = value as { promise?: unknown };
  return typeof candidate.promise === "function" ? (value as MysqlCallbackPool).promise() : value;
}

/** Applies defaults and validates; throws `ERR_INVALID_ARGUMENT` naming the field. */
export function resolveMysqlOptions(options: unknown): ResolvedMysqlOptions {
  const { given, source } = urlOrPool(
    options,
    isMysqlPool,
    "must be a mysql2 pool (createPool from mysql2 or mysql2/promise)",
    promisePool,
  );
  const server = source.kind === "pool" ? serverOfPool(source.pool) : serverOfUrl(source.url);
  return {
    source,
    server,
    ...serverStoreSettings(given, DEFAULT_MYSQL_TABLE),
    watchPollMs: positiveMs(given.watchPollMs, "watchPollMs", 250),
  };
}
