export type { KeyvInstance } from "./keyv-instance.js";
export { isKeyvInstance } from "./keyv-instance.js";
export type { KeyvStore, KeyvStoreOptions } from "./keyv-store.js";
export { createKeyvStore } from "./keyv-store.js";
