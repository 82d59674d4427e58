import { createPool } from "mysql2/promise";
import type { MysqlPool, MysqlPoolConnection, ResolvedMysqlOptions } from "../options.js";

/** The store's handle on its pool: its own, or the caller's (never ended). */
export interface StorePool {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  getConnection(): Promise<MysqlPoolConnection>;
  /** Ends the pool if the store created it; leaves a pool passed in alone. */
  close(): Promise<void>;
}

/** Opens (lazily: mysql2 connects on the first query) the pool described by `options`. */
export function openPool(options: ResolvedMysqlOptions): StorePool {
  const { source } = options;
  if (source.kind === "pool") {
    const pool: MysqlPool = source.pool;
    return {
      query: (sql, values) => pool.query(sql, values),
      getConnection: () => pool.getConnection(),
      close: async () => undefined,
    };
  }
  // One pool per store: ending it ends nobody else's connections.
  const pool = createPool({
    uri: source.url,
    connectTimeout: options.connectTimeoutMs,
    connectionLimit: 10,
    maxIdle: 2,
    idleTimeout: 10_000,
    enableKeepAlive: true,
    charset: "utf8mb4",
  });
  let ended: Promise<void> | undefined;
  return {
    query: (sql, values) => pool.query(sql, values) as Promise<[unknown, unknown]>,
    getConnection: () => pool.getConnection() as Promise<MysqlPoolConnection>,
    close() {
      ended ??= pool.end().catch(() => undefined);
      return ended;
    },
  };
}
