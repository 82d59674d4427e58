import { SessionStoreError } from "@sessionstore/core";
import type { StorageLike } from "../types.js";

function isStorageLike(value: unknown): value is StorageLike {
  const candidate = value as Partial<Record<keyof StorageLike, unknown>> | null | undefined;
  return ["getItem", "setItem", "removeItem", "key"].every(
    (method) => typeof candidate?.[method as keyof StorageLike] === "function",
  );
}

/**
 * Finds the storage to use and proves it answers, so a missing or blocked
 * storage fails at creation instead of on the first `get` much later.
 * @throws `ERR_STORE_UNAVAILABLE` with the browser's error as `cause`.
 */
export function resolveStorage(given: StorageLike | undefined): StorageLike {
  let storage: unknown = given;
  if (storage === undefined) {
    try {
      // Safari private mode (old), sandboxed iframes and "block all cookies" throw from the getter itself.
      storage = (globalThis as { localStorage?: unknown }).localStorage;
    } catch (error) {
      throw unavailable("localStorage access denied", error);
    }
    if (storage === undefined || storage === null) {
      throw unavailable("no localStorage here (server-side rendering?): pass options.storage");
    }
  }
  if (!isStorageLike(storage)) {
    if (given === undefined) throw unavailable("localStorage is not a Storage: pass options.storage");
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.storage is not Storage-like", {
      field: "options.storage",
    });
  }
  try {
    // A read probe, not a write: a full storage must still open so its sessions can be read.
    storage.getItem("sessionstore:probe");
  } catch (error) {
    throw unavailable("localStorage access denied", error);
  }
  return storage;
}

function unavailable(message: string, cause?: unknown): SessionStoreError {
  return new SessionStoreError("ERR_STORE_UNAVAILABLE", message, cause === undefined ? {} : { cause });
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
