import type { Awaitable, JsonObject } from "./types.js";

/**
 * What a store can do beyond get/set/delete. The conformance suite and the
 * SessionManager read these flags; they never probe for methods.
 */
export interface StoreCapabilities {
  /**
   * `lock()` is implemented and gives mutual exclusion with a lease, across
   * every process (tab, machine) that shares the backend.
   */
  readonly lock: boolean;
  /** `list()` is implemented. */
  readonly list: boolean;
  /**
   * The backend deletes expired records by itself (Redis TTL). When `false` the
   * adapter still hides expired records on read; this flag only says whether
   * they also vanish from the backend without being read.
   */
  readonly nativeExpiry: boolean;
  /** `watch()` is implemented (changes made elsewhere are reported). */
  readonly watch?: boolean;
  /**
   * `listPage()` is implemented: keys come a page at a time from the backend,
   * so the first page of 100,000 costs one page, not the whole list. Optional:
   * a store without it (older custom adapters) is listed through `list()`.
   */
  readonly listPage?: boolean;
}

/** Options for {@link SessionStore.listPage}. */
export interface ListPageOptions {
  /** Where to go on: the `cursor` of the previous page. Omitted: the first page. */
  readonly cursor?: string | undefined;
  /** Keys wanted in this page, a positive integer (see {@link SessionStore.listPage} for the exceptions). */
  readonly limit: number;
}

/** One page of {@link SessionStore.listPage}. */
export interface KeyPage {
  readonly keys: string[];
  /**
   * Pass it back for the next page. Opaque: only the store that made it reads
   * it. `undefined` when the walk is done.
   */
  readonly cursor?: string | undefined;
}

/** Options for {@link SessionStore.set}. */
export interface SetOptions {
  /**
   * Absolute expiry of the record, epoch milliseconds (as keyv 6 and Auth.js).
   * After it, `get` returns `undefined` even if the backend still holds the
   * bytes. Omitted: the record never expires.
   */
  readonly expiresAt?: number;
}

/** Options for {@link SessionStore.lock}. */
export interface LockOptions {
  /**
   * Lease: if the holder neither releases nor dies cleanly, the lock frees
   * itself this many milliseconds after it was taken, so a crashed process never
   * blocks the others for longer.
   */
  readonly ttlMs: number;
  /** How long to wait for a lock someone else holds before failing with `ERR_LOCK_TIMEOUT`. */
  readonly waitMs: number;
}

/**
 * Gives a lock back. Resolves once released. Releasing a lock whose lease ran
 * out (and that someone else may hold now) must not free the other holder's
 * lock, and must not throw; calling it twice is harmless.
 */
export interface ReleaseLock {
  (): Promise<void>;
  /**
   * Renews the lease to `ttlMs` from now, if this holder still holds the lock
   * (so a holder whose work outlasts the lease keeps others out while it
   * lives). Present where the store can renew a lease: every built-in store
   * with `lock` except localStorage. A client keeps its refresh lock alive
   * with it while the token call and the write of the new pair run.
   * @returns `false` when the lock is no longer this holder's (its lease ran
   * out and someone took it over, or it was released).
   * @throws `ERR_INVALID_ARGUMENT` for a bad `ttlMs`; `ERR_STORE_UNAVAILABLE` when the backend fails.
   */
  extend?(ttlMs: number): Promise<boolean>;
}

/** Called by {@link SessionStore.watch} when a record changed outside this store instance. */
export type StoreChangeListener = (change: { readonly key: string }) => void;

/**
 * The adapter contract: small on purpose. An adapter moves JSON records by key
 * and, where its backend can, offers an atomic lock. Everything about tokens
 * (validation, expiry of access tokens, key scoping, the legacy callback rules)
 * lives in `SessionManager`, once.
 *
 * Rules every member follows (the conformance suite in `@sessionstore/testkit`
 * checks each one):
 * - Keys are non-empty strings, used literally: no pattern, glob or LIKE
 *   meaning, whatever characters they contain (`*`, `%`, `_`, `:`).
 * - A missing or expired record is `undefined`, never an error.
 * - A backend failure rejects with a `SessionStoreError` of code
 *   `ERR_STORE_UNAVAILABLE` whose `cause` is the backend's error. It never
 *   resolves as "missing".
 * - Bytes that cannot be read back as a record reject with `ERR_CORRUPT_RECORD`.
 * - Records are JSON objects and come back deep-equal to what was written
 *   (not the same reference: a caller mutating one must not change the other).
 * - Methods may return values or Promises ({@link Awaitable}).
 */
export interface SessionStore {
  /** What the store can do beyond the required members. */
  readonly capabilities: StoreCapabilities;

  /**
   * A short name for the backend (`"redis"`, `"sqlite"` ...), shown in the
   * client's traces, metrics and debug log. Every store this project ships
   * sets it; a wrapper (encryption) reports its inner store's.
   * @default "custom" where it is read
   */
  readonly kind?: string | undefined;

  /**
   * Reads the record at `key`.
   * @returns the record, or `undefined` when there is none or it has expired.
   * @throws `ERR_STORE_UNAVAILABLE` when the backend fails; `ERR_CORRUPT_RECORD` when the stored bytes are not a record.
   */
  get(key: string): Awaitable<JsonObject | undefined>;

  /**
   * Writes `record` at `key`, replacing what was there, atomically: a reader
   * sees the old record or the new one, never a mix.
   * @throws `ERR_STORE_UNAVAILABLE` when the backend fails; nothing is half-written.
   */
  set(key: string, record: JsonObject, options?: SetOptions): Awaitable<void>;

  /**
   * Removes the record at `key`. Removing a missing record is not an error.
   * @returns `true` when a record was removed.
   */
  delete(key: string): Awaitable<boolean>;

  /**
   * Takes an exclusive lock named `key` (a name of its own, separate from the
   * record at `key`: it is never returned by `get` or `list`).
   * Present when `capabilities.lock` is `true`.
   * @returns a function that releases it.
   * @throws `ERR_LOCK_TIMEOUT` when it could not be taken within `waitMs`.
   */
  lock?(key: string, options: LockOptions): Promise<ReleaseLock>;

  /**
   * Keys of the live records that start with `prefix`, compared literally.
   * Present when `capabilities.list` is `true`. Order is unspecified.
   */
  list?(prefix: string): Awaitable<string[]>;

  /**
   * One page of the keys `list(prefix)` would return (live records, prefix
   * compared literally). Call again with the page's `cursor` until it is
   * `undefined`. Present when `capabilities.listPage` is `true`.
   *
   * A walk visits every key that exists for the whole walk at least once
   * (Redis SCAN may repeat one); a key written or removed during the walk may
   * or may not appear. A page may hold fewer than `limit` keys, even none,
   * before the walk is done (expired records are left out; SCAN pages by
   * work); a store that pages by a hint (Redis `COUNT`) may return a few more.
   * @throws `ERR_INVALID_ARGUMENT` naming `options.limit` (not a positive integer) or `options.cursor` (not a string, or not one this store made).
   */
  listPage?(prefix: string, options: ListPageOptions): Awaitable<KeyPage>;

  /**
   * Reports changes to records made by other processes, tabs or store
   * instances. Present when `capabilities.watch` is `true`. A key this
   * instance read or wrote may be reported, changed or not, once the watch is
   * established (a subscription confirmed, a first snapshot taken) and again
   * each time it is re-established after its connection dropped: a change in
   * between would otherwise go unheard. Listeners re-read.
   * @returns a function that stops watching.
   */
  watch?(listener: StoreChangeListener): () => void;

  /**
   * Releases what the store opened (connections, file handles, timers). It
   * never closes a client the caller passed in. Calling it twice is harmless;
   * other calls after it reject with `ERR_STORE_CLOSED`.
   */
  close(): Awaitable<void>;
}

/** A store whose `lock` is present. */
export type LockingStore = SessionStore & { lock(key: string, options: LockOptions): Promise<ReleaseLock> };
/** A store whose `list` is present. */
export type ListingStore = SessionStore & { list(prefix: string): Awaitable<string[]> };

/** A store whose `listPage` is present. */
export type PageListingStore = ListingStore & {
  listPage(prefix: string, options: ListPageOptions): Awaitable<KeyPage>;
};

/** Type guard: the store declares `capabilities.lock` and implements it. */
export function canLock(store: SessionStore): store is LockingStore {
  return store.capabilities.lock && typeof store.lock === "function";
}

/** Type guard: the store declares `capabilities.list` and implements it. */
export function canList(store: SessionStore): store is ListingStore {
  return store.capabilities.list && typeof store.list === "function";
}

/** Type guard: the store declares `capabilities.list` and `capabilities.listPage`, and implements both. */
export function canListPages(store: SessionStore): store is PageListingStore {
  return canList(store) && store.capabilities.listPage === true && typeof store.listPage === "function";
}

/** Type guard: `value` has the shape of a {@link SessionStore}. */
export function isSessionStore(value: unknown): value is SessionStore {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof SessionStore, unknown>>;
  return (
    typeof candidate.capabilities === "object" &&
    candidate.capabilities !== null &&
    (["get", "set", "delete", "close"] as const).every((method) => typeof candidate[method] === "function")
  );
}
