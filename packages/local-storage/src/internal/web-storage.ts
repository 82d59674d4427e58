import { SessionStoreError } from "@sessionstore/core";
import type { StorageLike } from "../types.js";

/**
 * Finds the storage to use and proves it answers, so a missing or blocked
 * storage fails at creation instead of on the first `get` much later.
 * @throws `ERR_STORE_UNAVAILABLE`; `cause` tells which: a `TypeError` when there
 * is none (server-side rendering) or it is not a Storage, the browser's
 * `SecurityError` when access is denied (sandboxed iframe, storage disabled).
 * Outside a browser, pass `options.storage`.
 */
export function resolveStorage(given: StorageLike | undefined): StorageLike {
  try {
    // Reading the global can throw by itself (Safari with storage blocked, sandboxed iframes).
    const storage = given ?? (globalThis as { localStorage: StorageLike }).localStorage;
    // A read probe, not a write: a full storage must still open so its sessions can be read.
    storage.getItem("sessionstore:probe");
    return storage;
  } catch (error) {
    throw new SessionStoreError(
      "ERR_STORE_UNAVAILABLE",
      // The user agent names the runtime ("Cloudflare-Workers", "Bun/1.4.5") in a few bytes of the browser bundle.
      `no usable localStorage in ${(globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "this runtime"} (server-side rendering, disabled, denied): pass options.storage or use @sessionstore/file`,
      { cause: error },
    );
  }
}

/** Every key of `storage`, collected before anything is removed (removal shifts indexes). */
export function storageKeys(storage: StorageLike): string[] {
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key !== null) keys.push(key);
  }
  return keys;
}
