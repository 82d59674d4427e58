export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryConfig,
  PostgresQueryResult,
  PostgresStoreOptions,
} from "./options.js";
export { DEFAULT_POSTGRES_TABLE } from "./options.js";
export type { PostgresStore } from "./postgres-store.js";
export { createPostgresStore } from "./postgres-store.js";
