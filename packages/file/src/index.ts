export type { FileStore, FileStoreOptions } from "./file-store.js";
export { createFileStore, FILE_STORE_SESSION_LIMIT } from "./file-store.js";
