import {
  isSessionStoreError,
  type JsonObject,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  type SetOptions,
  type StoreCapabilities,
  type StoreChangeListener,
  toStoreError,
} from "@sessionstore/core";
import {
  assertLockOptions,
  assertStoreKey,
  decodeEnvelope,
  encodeEnvelope,
  invalidOption,
  isExpired,
  readExpiresAt,
  storeClosedError,
} from "@sessionstore/core/adapter";
import { announce, type RawChangeHandler, subscribe } from "./internal/change-feed.js";
import { acquireWebLock } from "./internal/web-lock.js";
import { resolveStorage, storageKeys } from "./internal/web-storage.js";
import type { LockManagerLike, StorageLike } from "./types.js";

/** Options for {@link createLocalStorageStore}. */
export interface LocalStorageStoreOptions {
  /**
   * Where records live: `localStorage`, `sessionStorage` or any object with
   * the Web Storage methods. Other tabs' changes are only reported for the
   * browser's own storages (they alone fire the `storage` event).
   * @default globalThis.localStorage
   */
  storage?: StorageLike;
  /**
   * Put before every key in the storage, so the store's keys never collide with
   * the page's other data, and so `list` and `watch` ignore everything else.
   * @default "sessionstore:"
   */
  prefix?: string;
  /**
   * The Web Locks manager that makes `lock()` exclusive across tabs. `false`
   * turns the lock capability off (the SessionManager then locks within the
   * tab only).
   * @default globalThis.navigator.locks when present (not in Deno, whose locks do not reach other processes), otherwise no lock capability
   */
  locks?: LockManagerLike | false;
  /**
   * Clock for record expiry, epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/** A {@link SessionStore} over Web Storage with `list` and `watch` (and `lock` when Web Locks exist). */
export interface LocalStorageStore extends SessionStore {
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
  watch(listener: StoreChangeListener): () => void;
  close(): Promise<void>;
  /** The storage prefix in use. */
  readonly prefix: string;
}

/** Default {@link LocalStorageStoreOptions.prefix}. */
export const DEFAULT_LOCAL_STORAGE_PREFIX = "sessionstore:";

function defaultLocks(): LockManagerLike | undefined {
  const scope = globalThis as { navigator?: { locks?: unknown }; Deno?: unknown };
  // Deno's Web Locks exclude within one process only, while its localStorage is
  // shared by every process of the origin: no lock is better than a false one.
  if (scope.Deno !== undefined) return undefined;
  const locks = scope.navigator?.locks as Partial<LockManagerLike> | undefined;
  return typeof locks?.request === "function" ? (locks as LockManagerLike) : undefined;
}

/**
 * Creates a store over the browser's `localStorage`. Records are JSON
 * envelopes `{ record, expiresAt? }` under `<prefix><key>`.
 *
 * - A write over the quota rejects with `ERR_STORE_UNAVAILABLE` (cause: the
 *   browser's `QuotaExceededError`); the previous record stays as it was.
 * - `lock()` uses the [Web Locks API](https://w3c.github.io/web-locks/) with a
 *   lease of `ttlMs`; without Web Locks, `capabilities.lock` is `false`.
 * - `watch()` reports other tabs' writes (the `storage` event) and other
 *   instances' writes in this tab.
 * @throws `ERR_STORE_UNAVAILABLE` at creation when there is no usable storage
 * (server-side rendering, storage disabled or denied).
 */
export function createLocalStorageStore(options: LocalStorageStoreOptions = {}): LocalStorageStore {
  const storage = resolveStorage(options.storage);
  const prefix = options.prefix ?? DEFAULT_LOCAL_STORAGE_PREFIX;
  // Non-empty and not starting with NUL: lock markers live at "\0lock\0<prefix><key>", outside every prefix.
  if (typeof prefix !== "string" || prefix === "" || prefix.startsWith("\0")) {
    throw invalidOption("options.prefix", "must be non-empty");
  }
  const now = options.now ?? Date.now;
  const locks = options.locks === false ? undefined : (options.locks ?? defaultLocks());
  const capabilities: StoreCapabilities = Object.freeze({
    lock: locks !== undefined,
    list: true,
    nativeExpiry: false,
    watch: true,
  });
  // Lock waits to cancel, held locks and fences to release on close().
  const activeLocks = new Set<() => unknown>();
  // This instance's watch handlers and how to stop each: own writes are not announced to them.
  const watchers = new Map<RawChangeHandler, () => void>();
  // Keys this instance has seen, so a `clear()` in another tab (event key null) can be reported key by key.
  const knownKeys = new Set<string>();
  let closed = false;

  /** Checks the store is open and `key` valid; returns the storage key. */
  const open = (key: string): string => {
    if (closed) throw storeClosedError();
    assertStoreKey(key);
    return prefix + key;
  };
  const backend = <T>(operation: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  };
  const readLive = (key: string): JsonObject | undefined => {
    const storageKey = prefix + key;
    const text = backend("get", () => storage.getItem(storageKey));
    if (text === null) return undefined;
    const { record, expiresAt } = decodeEnvelope(text, key);
    if (!isExpired(expiresAt, now())) return record;
    backend("delete", () => storage.removeItem(storageKey));
    return undefined;
  };
  /** Whether a live record is there; a corrupt one counts (it is there, and deleting it is the way out). */
  const holdsRecord = (key: string): boolean => {
    try {
      return readLive(key) !== undefined;
    } catch (error) {
      if (isSessionStoreError(error, "ERR_CORRUPT_RECORD")) return true;
      throw error;
    }
  };
  /** Store keys of every item under the prefix, live or not. */
  const storedKeys = (operation: string): string[] =>
    backend(operation, () => storageKeys(storage))
      .filter((storageKey) => storageKey.startsWith(prefix) && storageKey !== prefix)
      .map((storageKey) => storageKey.slice(prefix.length));

  const store: LocalStorageStore = {
    capabilities,
    kind: "local-storage",
    prefix,
    async get(key) {
      open(key);
      return readLive(key);
    },
    async set(key: string, record: JsonObject, setOptions?: SetOptions) {
      const storageKey = open(key);
      const text = encodeEnvelope(record, readExpiresAt(setOptions));
      // setItem is all-or-nothing: over the quota it throws and the old value stays.
      backend("set", () => storage.setItem(storageKey, text));
      knownKeys.add(key);
      announce(storage, storageKey, watchers);
    },
    async delete(key) {
      const storageKey = open(key);
      const existed = holdsRecord(key);
      backend("delete", () => storage.removeItem(storageKey));
      knownKeys.delete(key);
      if (existed) announce(storage, storageKey, watchers);
      return existed;
    },
    async list(keyPrefix) {
      if (closed) throw storeClosedError();
      // The prefix rule of every store (the adapter kit's): any string, "" included; anything else is refused.
      if (typeof keyPrefix !== "string") assertStoreKey(keyPrefix, "prefix");
      return storedKeys("list").filter((key) => key.startsWith(keyPrefix) && holdsRecord(key));
    },
    watch(listener) {
      if (closed) throw storeClosedError();
      for (const key of storedKeys("watch")) knownKeys.add(key);
      const handler: RawChangeHandler = (storageKey) => {
        if (storageKey === null) {
          const cleared = [...knownKeys];
          knownKeys.clear();
          // One throwing listener call must not hide the other keys' removal; its error still surfaces.
          for (const key of cleared) queueMicrotask(() => listener({ key }));
          return;
        }
        if (!storageKey.startsWith(prefix) || storageKey === prefix) return;
        const key = storageKey.slice(prefix.length);
        knownKeys.add(key);
        listener({ key });
      };
      const unsubscribe = subscribe(storage, handler);
      const stop = () => {
        watchers.delete(handler);
        unsubscribe();
      };
      watchers.set(handler, stop);
      return stop;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...watchers.values()]) stop();
      await Promise.all([...activeLocks].map((end) => end()));
    },
  };
  if (locks) {
    store.lock = async (key: string, lockOptions: LockOptions): Promise<ReleaseLock> =>
      acquireWebLock({ locks, storage, active: activeLocks }, open(key), key, assertLockOptions(lockOptions));
  }
  return store;
}
