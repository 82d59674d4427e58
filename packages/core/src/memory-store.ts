import { defineStore } from "./adapter/define-store.js";
import { isExpired } from "./adapter/helpers.js";
import type { StoredEntry } from "./adapter/store-backend.js";
import { type MemoryStoreOptions, readMemoryOptions } from "./memory-store-options.js";
import type { KeyPage, ListPageOptions, LockOptions, ReleaseLock, SessionStore } from "./store.js";

export type { MemoryStoreOptions } from "./memory-store-options.js";

/** The reference adapter: one process, everything in a Map. Records are kept as JSON text, like a real backend. */
export interface MemoryStore extends SessionStore {
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): string[];
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
}

interface Entry {
  readonly text: string;
  readonly expiresAt: number | undefined;
}

/**
 * Creates an in-memory {@link SessionStore} with lock and list. Sessions live as
 * long as the process: use it for tests and short scripts.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const { now, lockPollMs } = readMemoryOptions(options);
  const entries = new Map<string, Entry>();
  const locks = new Map<string, { token: string; expiresAt: number }>();

  // One process owns the Map, so an expired entry can go as soon as it is seen.
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && isExpired(entry.expiresAt, now())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const { store } = defineStore({
    kind: "memory",
    capabilities: Object.freeze({ lock: true, list: true, listPage: true, nativeExpiry: false }),
    format: "record",
    syncList: true,
    now,
    lockPollMs,
    backend: {
      read: live,
      write(key, text, expiresAt) {
        entries.set(key, { text, expiresAt });
      },
      remove(key) {
        const existed = live(key) !== undefined;
        entries.delete(key);
        return existed;
      },
      list(prefix) {
        const found: Array<[string, StoredEntry]> = [];
        for (const [key, entry] of entries) if (key.startsWith(prefix)) found.push([key, entry]);
        return found;
      },
      // Keyset paging in key order (cursor = last key given). A Map keeps no order, so
      // each page is one pass over the keys: cheap for the test-sized data it holds.
      listPage(prefix, { cursor, limit }) {
        const after: string[] = [];
        for (const key of entries.keys()) {
          if (key.startsWith(prefix) && (cursor === undefined || key > cursor)) after.push(key);
        }
        const keys = after.sort().slice(0, limit);
        const found: Array<[string, StoredEntry | undefined]> = [];
        for (const key of keys) found.push([key, entries.get(key)]);
        return { entries: found, cursor: after.length > limit ? keys.at(-1) : undefined };
      },
      tryLock({ name, token, at, expiresAt }) {
        const holder = locks.get(name);
        if (holder && holder.expiresAt > at) return false;
        locks.set(name, { token, expiresAt });
        return true;
      },
      unlock(name, token) {
        if (locks.get(name)?.token === token) locks.delete(name);
      },
      extendLock({ name, token, expiresAt }) {
        if (locks.get(name)?.token !== token) return false;
        locks.set(name, { token, expiresAt });
        return true;
      },
      leaseLeftMs(name) {
        const holder = locks.get(name);
        return holder === undefined ? undefined : holder.expiresAt - now();
      },
      close() {
        entries.clear();
        locks.clear();
      },
    },
  });
  return store as unknown as MemoryStore;
}
