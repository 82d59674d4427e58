export type { FileStore } from "./file-store.js";
export { createFileStore, FILE_STORE_SESSION_LIMIT } from "./file-store.js";
export type { FileStoreOptions } from "./options.js";
