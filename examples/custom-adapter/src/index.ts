export type { DirectoryStoreOptions } from "./directory-store.js";
export { createDirectoryStore } from "./directory-store.js";
