import pg from "pg";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult, ResolvedPostgresOptions } from "../options.js";
import type { Prepared } from "./statements.js";

/** The store's handle on its pool: its own, or the caller's (never ended). */
export interface StorePool {
  /** Runs a prepared statement (see {@link Prepared}). */
  query(statement: Prepared, values: unknown[]): Promise<PostgresQueryResult>;
  connect(): Promise<PostgresPoolClient>;
  /** Ends the pool if the store created it; leaves a pool passed in alone. */
  close(): Promise<void>;
}

/** Opens (lazily: pg connects on the first query) the pool described by `options`. */
export function openPool(options: ResolvedPostgresOptions): StorePool {
  const { source } = options;
  if (source.kind === "pool") {
    const pool: PostgresPool = source.pool;
    return {
      query: ({ name, text }, values) => pool.query({ name, text, values }),
      connect: () => pool.connect(),
      close: async () => undefined,
    };
  }
  // One pool per store, never shared through module state: ending it ends
  // nobody else's connections.
  const pool = new pg.Pool({
    connectionString: source.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // pg's own bound on a statement; the store's deadline covers the rest.
    query_timeout: options.commandTimeoutMs,
    idleTimeoutMillis: 10_000,
    // An idle pool never keeps the process alive on its own.
    allowExitOnIdle: true,
    application_name: "sessionstore",
  });
  // Idle connections that die (server restart) emit 'error' on the pool; we
  // created it, so an unheard one would be ours to crash the process with.
  // The next call gets a fresh connection or fails with its own error.
  pool.on("error", () => undefined);
  let ended: Promise<void> | undefined;
  return {
    query: ({ name, text }, values) => pool.query({ name, text, values }),
    connect: () => pool.connect(),
    close() {
      ended ??= pool.end().catch(() => undefined);
      return ended;
    },
  };
}
