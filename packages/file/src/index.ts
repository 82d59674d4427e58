export type { FileStore, FileStoreOptions } from "./file-store.js";
export { createFileStore } from "./file-store.js";
