import type { SessionStoreError } from "./errors.js";
import type { RevokeAllOptions, RevokeAllSummary } from "./revoke-all.js";
import type { ListPagesOptions } from "./session-listing.js";
import type { StoredSession } from "./session-record.js";
import type { LockOptions, ReleaseLock, SessionStore, StoreCapabilities } from "./store.js";
import type { AuthObject, AuthType } from "./types.js";

/** Options for {@link createSessionManager}. */
export interface SessionManagerOptions {
  /** First part of every key; `clear()` removes everything under it. @default "sessionstore" */
  namespace?: string;
  /** Whose sessions these are: a user id, an integration id. @default "default" */
  subject?: string;
  /** Clock, epoch milliseconds; inject it in tests instead of sleeping. @default Date.now */
  now?: () => number;
  /**
   * The session lock every removal (`set({})`, `delete`, `clear`) takes, the
   * lock a refresh holds, so that no refresh in flight elsewhere writes its new
   * pair back after the removal. `waitMs` should outlast a refresh (token call
   * included) and a crashed holder's lease; a removal that waited longer
   * rejects `ERR_LOCK_TIMEOUT` and removes nothing.
   * @default { ttlMs: 30_000, waitMs: 35_000 }
   */
  removalLock?: LockOptions;
}

/** Options for {@link SessionManager.delete}. */
export interface DeleteOptions {
  /**
   * The release function of a `lock(authType)` the caller holds on this
   * session (a logout that revokes first): the delete runs under it instead of
   * waiting for the lock it already has. Anything else is `ERR_INVALID_ARGUMENT`.
   */
  heldLock?: ReleaseLock;
  /** The lock to take for this call. @default the manager's `removalLock` */
  lock?: LockOptions;
}

/** Options for {@link SessionManager.clear}. */
export interface ClearOptions {
  /** The lock taken for each session removed. @default the manager's `removalLock` */
  lock?: LockOptions;
}

/**
 * `get`'s legacy callback: podio-js style, one argument. Store failures arrive
 * as a second argument (and as an `'error'` event), never as "no session".
 */
export type GetCallback = (authObject: AuthObject | undefined, error?: SessionStoreError) => void;
/** `set`'s legacy callback: `null` on success (podio-js treats anything else as failure), the error otherwise. */
export type SetCallback = (error: SessionStoreError | null) => void;

/** One session as `list()` reports it: never a token value. */
export interface SessionInfo {
  readonly key: string;
  readonly subject: string;
  readonly authType: AuthType;
  /** Access-token expiry, epoch ms, when known. */
  readonly expiresAt?: number;
  /** When it was last written, epoch ms. */
  readonly updatedAt?: number;
  /** Whether a refresh token is held. */
  readonly refreshable: boolean;
  /** Set when the record could not be read back. */
  readonly corrupt?: true;
}

/** Events a {@link SessionManager} emits. */
export interface SessionManagerEvents {
  /**
   * A store failure that a legacy caller could not see: a callback-form `get`
   * (podio-js's callback takes one argument) or a fire-and-forget `set({})`.
   * With no listener, such failures are written to `console.error`.
   */
  error: SessionStoreError;
}

/** Options for {@link SessionManager.write}. */
export interface WriteOptions {
  /** Stored beside the session; see {@link StoredSession.fingerprint}. */
  fingerprint?: string;
}

/**
 * The facade users call: podio-js's `get`/`set` (callback and promise forms)
 * plus scoping, listing and locking, over any {@link SessionStore}.
 */
export interface SessionManager {
  readonly store: SessionStore;
  readonly namespace: string;
  readonly subject: string;
  readonly capabilities: StoreCapabilities;
  /**
   * The session for `authType`, or `undefined`. Rejects on a store failure.
   * Read your own write: if a `set`, `write`, `delete`, logout or `clear` of
   * this key is issued on this manager (or a `forSubject` sibling) while the
   * read is pending, it answers with what that call wrote (`undefined` after a
   * delete), not with the store's older answer. So do `read` and the callback form.
   */
  get(authType: AuthType): Promise<AuthObject | undefined>;
  /** podio-js form: `callback(authObject | undefined, error?)`, always called once, asynchronously. */
  get(authType: AuthType, callback: GetCallback): void;
  /**
   * Normalises and stores; `set({}, authType)` deletes (podio-js's logout), under
   * the session lock as {@link delete} does. Only a plain empty object means
   * logout; anything else that is not a plain auth object is `ERR_INVALID_AUTH_OBJECT`.
   */
  set(authObject: object, authType: AuthType): Promise<void>;
  /** podio-js form: `callback(null)` on success, `callback(error)` on failure. */
  set(authObject: object, authType: AuthType, callback: SetCallback): void;
  /**
   * Removes the session, holding the session lock (the one a refresh holds), so
   * a refresh in flight in any process finishes first and cannot write its pair
   * back afterwards. @returns whether one was there.
   * @throws `ERR_LOCK_TIMEOUT` when the lock was not free in time (nothing removed).
   */
  delete(authType: AuthType, options?: DeleteOptions): Promise<boolean>;
  /** The session with its metadata (fingerprint, updatedAt). */
  read(authType: AuthType): Promise<StoredSession | undefined>;
  /** Normalises and stores with metadata. @returns what was stored. */
  write(authType: AuthType, authObject: object, options?: WriteOptions): Promise<StoredSession>;
  /**
   * Exclusive lock for this subject's `authType` session: across processes when
   * `capabilities.lock`, otherwise within this process only.
   */
  lock(authType: AuthType, options: LockOptions): Promise<ReleaseLock>;
  /** The store key for `authType`. */
  keyFor(authType: AuthType): string;
  /** A manager over the same store for another subject (user or integration). */
  forSubject(subject: string): SessionManager;
  /**
   * Every session in the namespace (all subjects), in one array. Needs
   * `capabilities.list`. For many sessions prefer
   * ({@link SessionManager.listPages}), which holds one page at a time.
   */
  list(): Promise<SessionInfo[]>;
  /**
   * Every session in the namespace, a page at a time: each page's records are
   * read concurrently and yielded. The keys come a page at a time from a store
   * with `capabilities.listPage` (the first page costs one page), else from one
   * `list` call. A walk may yield a session twice (Redis SCAN while it
   * resizes). Stop early with `break`. Needs `capabilities.list`.
   * @throws `ERR_INVALID_ARGUMENT` for a bad `pageSize`, at the call.
   */
  listPages(options?: ListPagesOptions): AsyncIterableIterator<SessionInfo[]>;
  /**
   * Deletes every session in the namespace, locally only (`revokeAll(manager, …)`
   * also revokes at the platform), each under its session lock like {@link delete}. A session that cannot be removed does
   * not stop the others; the first failure is thrown after all were tried.
   * Needs `capabilities.list`. @returns how many.
   */
  clear(options?: ClearOptions): Promise<number>;
  /**
   * "Revoke for all users": revokes every session of the namespace at the
   * platform ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)), then deletes
   * each one revoked; running clients drop their token through the store's
   * `watch`. The same as `revokeAll(manager, options)`. Needs `capabilities.list`.
   * Not in the browser build (`ERR_UNSUPPORTED`): it is a server's job.
   */
  revokeAll(options: RevokeAllOptions): Promise<RevokeAllSummary>;
  /** Closes the store (shared by every `forSubject` manager). */
  close(): Promise<void>;
  on<K extends keyof SessionManagerEvents>(event: K, listener: (payload: SessionManagerEvents[K]) => void): () => void;
}
