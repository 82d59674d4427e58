export type { ExitCode } from "./exit-codes.js";
export { EXIT_CODES } from "./exit-codes.js";
export type { OpenStoreOptions, StoreOpener } from "./open-store.js";
export { DEFAULT_TIMEOUT_MS, openStore } from "./open-store.js";
export type { CliIO, TextSink } from "./run-cli.js";
export { runCli } from "./run-cli.js";
export type { FileStoreUri, RedisStoreUri, SqliteStoreUri, StoreUri } from "./store-uri.js";
export { parseStoreUri } from "./store-uri.js";
