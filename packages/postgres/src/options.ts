import { invalidOption, serverStoreSettings, type UrlOrPool, urlOrPool } from "@sessionstore/core/adapter";

/** One row set as node-postgres returns it (`QueryResult`), narrowed to what the store reads. */
export interface PostgresQueryResult {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

/** A statement with its values as node-postgres takes it (`QueryConfig`); a `name` makes pg prepare it once per connection. */
export interface PostgresQueryConfig {
  readonly name?: string | undefined;
  readonly text: string;
  readonly values?: unknown[] | undefined;
}

/** A connection checked out of a pool (`PoolClient` of `pg`), narrowed to what `watch` uses. */
export interface PostgresPoolClient {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** `release(true)` ends the connection instead of returning it (it was LISTENing). */
  release(destroy?: boolean): void;
  on(event: "notification", listener: (message: { channel: string; payload?: string | undefined }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * What the store needs of a node-postgres `Pool` (`new Pool()` from `pg` 8).
 * Kept structural so the package's types do not depend on `@types/pg`, and two
 * installed copies of `pg` accept each other's pools.
 */
export interface PostgresPool {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  query(config: PostgresQueryConfig): Promise<PostgresQueryResult>;
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
}

/** Options for {@link createPostgresStore}. Give exactly one of `url` and `pool`. */
export interface PostgresStoreOptions {
  /**
   * Where PostgreSQL is (`postgres[ql]://[user[:password]@]host[:port]/database`).
   * The store creates its own `pg` pool, owns it and ends it in `close()`.
   */
  url?: string | undefined;
  /**
   * A node-postgres `Pool` you created. The store never ends it (not even in
   * `close()`) and adds no listener to it: attach your own `'error'` listener.
   * While someone watches, the store holds one of its connections (LISTEN).
   */
  pool?: PostgresPool | undefined;
  /**
   * Table of the records; locks go in `<table>_locks` and change
   * notifications on the channel `<table>_changes`. A letter or underscore,
   * then up to 47 letters, digits or underscores (quoted, so case is kept).
   * Created (or completed) by the store on first use.
   * @default "sessionstore_sessions"
   */
  table?: string | undefined;
  /**
   * How long the store waits to get a connection (first connect, or after an
   * outage) before a call fails with `ERR_STORE_UNAVAILABLE`.
   * @default 5000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * How long one statement may take. A call therefore settles within
   * `connectTimeoutMs + commandTimeoutMs`.
   * @default 5000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * How often a `lock()` waiting for a lock held elsewhere tries again, in milliseconds.
   * @default 25
   */
  lockPollMs?: number | undefined;
}

/** The table used when no `table` is given. */
export const DEFAULT_POSTGRES_TABLE = "sessionstore_sessions";

/** Options with defaults applied and every field checked. */
export interface ResolvedPostgresOptions {
  readonly source: UrlOrPool<PostgresPool>;
  readonly table: string;
  /** `host:port/database`, for messages: never the user or password. */
  readonly server: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly lockPollMs: number;
}

const invalid = invalidOption;

/** `host:port/database` of a URL; never echoes the URL (it may carry a password). */
function serverOfUrl(url: unknown): string {
  if (typeof url !== "string" || !/^postgres(ql)?:\/\/./i.test(url)) {
    throw invalid("url", "must be a postgres:// or postgresql:// URL");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("url", "must be a postgres:// or postgresql:// URL");
  }
  const host = decodeURIComponent(parsed.hostname) || "localhost";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres";
  return `${host}:${parsed.port || "5432"}/${database}`;
}

/** `host:port/database` of a pool, from the options `pg` keeps on it (`pool.options`). */
function serverOfPool(pool: PostgresPool): string {
  const options = (pool as { options?: Record<string, unknown> }).options ?? {};
  if (typeof options.connectionString === "string") {
    try {
      return serverOfUrl(options.connectionString);
    } catch {
      // Not a URL pg would parse the same way (a libpq key=value string): fall through.
    }
  }
  const host = typeof options.host === "string" ? options.host : "localhost";
  const port = typeof options.port === "number" || typeof options.port === "string" ? options.port : 5432;
  const database = typeof options.database === "string" ? options.database : "postgres";
  return `${host}:${port}/${database}`;
}

function isPostgresPool(value: unknown): value is PostgresPool {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.query === "function" &&
    typeof candidate.connect === "function" &&
    typeof candidate.end === "function"
  );
}

/** Applies defaults and validates; throws `ERR_INVALID_ARGUMENT` naming the field. */
export function resolvePostgresOptions(options: unknown): ResolvedPostgresOptions {
  const { given, source } = urlOrPool(options, isPostgresPool, "must be a node-postgres Pool");
  const server = source.kind === "pool" ? serverOfPool(source.pool) : serverOfUrl(source.url);
  return {
    source,
    server,
    ...serverStoreSettings(given, DEFAULT_POSTGRES_TABLE),
  };
}
