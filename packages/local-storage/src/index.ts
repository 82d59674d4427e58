export type { LocalStorageStore, LocalStorageStoreOptions } from "./local-storage-store.js";
export { createLocalStorageStore, DEFAULT_LOCAL_STORAGE_PREFIX } from "./local-storage-store.js";
export type { LockManagerLike, StorageLike } from "./types.js";
