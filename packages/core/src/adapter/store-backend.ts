import type {
  LockOptions,
  ReleaseLock,
  SessionStore,
  SetOptions,
  StoreCapabilities,
  StoreChangeListener,
} from "../store.js";
import type { Awaitable, JsonObject } from "../types.js";

/** The types of {@link defineStore}: what an adapter hands it, and what it gives back. */

/**
 * What a backend hands back for a key: envelope text (`format: "envelope"`),
 * or record text with the expiry the backend keeps beside it (`format:
 * "record"`; a bare string there is a record that never expires).
 */
export type StoredEntry = string | { readonly text: string; readonly expiresAt: number | undefined };

/** What {@link StoreBackend.listPage} gets, checked. */
export interface ListPageRequest {
  readonly cursor: string | undefined;
  readonly limit: number;
}

/** What {@link StoreBackend.listPage} answers. */
export interface BackendPage {
  readonly entries: Iterable<readonly [string, StoredEntry | undefined]>;
  readonly cursor: string | undefined;
}

/** One attempt at a lock, as {@link StoreBackend.tryLock} gets it. */
export interface LeaseRequest {
  readonly name: string;
  /** Identifies this holder; release only frees the lock while it still holds this token. */
  readonly token: string;
  readonly ttlMs: number;
  /** The store clock's time of the attempt, and when the lease ends on it. */
  readonly at: number;
  readonly expiresAt: number;
}

/**
 * The backend calls of a store, and nothing else: the store made by
 * {@link defineStore} checks arguments, closed state, expiry and envelopes,
 * and maps errors, before and after each call.
 */
export interface StoreBackend {
  /** The entry at `key`, or `undefined` when there is none. */
  read(key: string): Awaitable<StoredEntry | undefined>;
  /**
   * Writes `text` (envelope or record text, per `format`) at `key`, atomically.
   * `expiresAt` is in the future (a dead write is a `remove`); backends with
   * native expiry may pass it on. `record` is what the text holds, for nothing
   * but masking: never store it.
   */
  write(key: string, text: string, expiresAt: number | undefined, record: JsonObject): Awaitable<void>;
  /**
   * Removes the entry at `key`. Resolves the entry that was removed (the
   * kit decides whether it was live; one it cannot decode counts as live, so a
   * corrupt record can be cleared), or whether a live one was removed.
   */
  remove(key: string): Awaitable<StoredEntry | boolean | undefined>;
  /**
   * Keys starting with `prefix` (compared literally) with their entries; an
   * entry of `undefined` is listed as it is (the backend filtered expiry itself,
   * or could not read it). Present when the store can list.
   */
  list?(prefix: string): Awaitable<Iterable<readonly [string, StoredEntry | undefined]>>;
  /**
   * One page of what `list(prefix)` gives, for `listPage`: about `limit`
   * entries after `cursor` (the kit checked both: `limit` a positive integer,
   * `cursor` a string this backend returned or `undefined` for the first
   * page), and the cursor of the next page, `undefined` when done. The kit
   * drops expired entries after the call, so compute the cursor from what the
   * backend walked, not from what stays. A cursor the backend cannot read
   * throws {@link invalidCursorError}.
   */
  listPage?(prefix: string, page: ListPageRequest): Awaitable<BackendPage>;
  /** One atomic attempt to take a lock with a lease; `true` when taken. With `unlock`, the kit runs the wait loop. */
  tryLock?(request: LeaseRequest): Awaitable<boolean>;
  /** Frees `name` only if `token` still holds it. */
  unlock?(name: string, token: string): Awaitable<void>;
  /**
   * Sets the lease of `name` to end at `request.expiresAt` only while
   * `request.token` still holds it; `true` when renewed. With it the kit's
   * locks offer {@link ReleaseLock.extend}.
   */
  extendLock?(request: LeaseRequest): Awaitable<boolean>;
  /** How long until the current holder of `name` loses its lease, when cheap to know (see {@link pollLease}). */
  leaseLeftMs?(name: string): number | undefined;
  /** A lock the backend takes whole (delegated to another store): the kit checks the name and closed state only. */
  lock?(name: string, options: LockOptions): Promise<ReleaseLock>;
  /** Reports changes made elsewhere. Present when the store can watch. */
  watch?(listener: StoreChangeListener): () => void;
  /** Releases what the backend opened; runs after every call in flight settled and held locks were freed. */
  close?(): Awaitable<void>;
}

/** A record's text with its expiry, both ways, for a backend that keeps its own envelope. */
export interface RecordCodec {
  encode(record: JsonObject, expiresAt: number | undefined): string;
  /**
   * Must depend on `text` alone (and `key` for its errors): the kit reuses a
   * copy of the last result while a key's stored text is unchanged.
   * @throws `ERR_CORRUPT_RECORD` (naming `key`, never quoting the text) for text that is not such an envelope.
   */
  decode(text: string, key: string): { readonly record: JsonObject; readonly expiresAt: number | undefined };
}

/** What {@link defineStore} builds a store from. */
export interface StoreDefinition {
  /** {@link SessionStore.kind}. */
  readonly kind: string;
  /** Declared as given; `lock`, `list`, `listPage` and `watch` must match what `backend` offers. */
  readonly capabilities: StoreCapabilities;
  readonly backend: StoreBackend;
  /**
   * Clock for record expiry and lock leases, epoch milliseconds. Lock waits
   * are timed on the real clock whatever this is.
   * @default Date.now
   */
  readonly now?: (() => number) | undefined;
  /**
   * How records are kept: see {@link StoredEntry}. A {@link RecordCodec} keeps
   * another program's envelope (Redis keeps keyv's, so keyv reads what the
   * store writes).
   * @default "envelope"
   */
  readonly format?: "envelope" | "record" | RecordCodec;
  /** Names the operation in error messages, e.g. `(op) => \`${op} (sqlite "/x.db")\``. */
  readonly describe?: ((operation: string) => string) | undefined;
  /**
   * The backend lists synchronously (a Map): `list()` then returns the array
   * itself and throws, as the contract allows, instead of a Promise.
   */
  readonly syncList?: boolean | undefined;
  /** Mean pause of a waiting `lock`, in milliseconds. @default 25 */
  readonly lockPollMs?: number | undefined;
}

/** A store built by {@link defineStore}: every member present, every call a Promise. */
export interface DefinedStore extends SessionStore {
  readonly kind: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** {@link defineStore}'s result: the store, and `run` for the adapter's own extra methods. */
export interface StoreKit {
  readonly store: DefinedStore;
  /**
   * Runs `body` as the store runs its own calls: refused once closed, awaited
   * by `close()`, a failure mapped by `toStoreError` (masking `secrets`).
   */
  run<T>(operation: string, body: () => Awaitable<T>, secrets?: JsonObject): Promise<T>;
  /** Whether `close()` was called. */
  readonly closed: () => boolean;
}
