import { isSessionStoreError, SessionStoreError, toStoreError } from "./errors.js";
import { assertOptionalFunction, invokeLater, observed } from "./internal/callbacks.js";
import { Emitter } from "./internal/emitter.js";
import { createKeyedMutex } from "./internal/keyed-mutex.js";
import { createLeaseLocks, type LeaseLocks } from "./internal/lease-locks.js";
import {
  assertAuthType,
  assertNamespace,
  assertSubject,
  DEFAULT_NAMESPACE,
  DEFAULT_SUBJECT,
  namespacePrefix,
  parseSessionKey,
  sessionKey,
} from "./keys.js";
import { isEmptyAuthObject, normalizeAuthObject } from "./normalize.js";
import { decodeSession, encodeSession, recordExpiry, type StoredSession } from "./session-record.js";
import {
  canList,
  canLock,
  isSessionStore,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  type StoreCapabilities,
} from "./store.js";
import type { AuthObject, AuthType } from "./types.js";

/** Options for {@link createSessionManager}. */
export interface SessionManagerOptions {
  /** First part of every key; `clear()` removes everything under it. @default "sessionstore" */
  namespace?: string;
  /** Whose sessions these are: a user id, an integration id. @default "default" */
  subject?: string;
  /** Clock, epoch milliseconds; inject it in tests instead of sleeping. @default Date.now */
  now?: () => number;
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
  /** The session for `authType`, or `undefined`. Rejects on a store failure. */
  get(authType: AuthType): Promise<AuthObject | undefined>;
  /** podio-js form: `callback(authObject | undefined, error?)`, always called once, asynchronously. */
  get(authType: AuthType, callback: GetCallback): void;
  /** Normalises and stores; `set({}, authType)` deletes (podio-js's logout). */
  set(authObject: object, authType: AuthType): Promise<void>;
  /** podio-js form: `callback(null)` on success, `callback(error)` on failure. */
  set(authObject: object, authType: AuthType, callback: SetCallback): void;
  /** Removes the session. @returns whether one was there. */
  delete(authType: AuthType): Promise<boolean>;
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
  /** Every session in the namespace (all subjects). Needs `capabilities.list`. */
  list(): Promise<SessionInfo[]>;
  /** Deletes every session in the namespace ("revoke for all users"). Needs `capabilities.list`. @returns how many. */
  clear(): Promise<number>;
  /** Closes the store (shared by every `forSubject` manager). */
  close(): Promise<void>;
  on<K extends keyof SessionManagerEvents>(event: K, listener: (payload: SessionManagerEvents[K]) => void): () => void;
}

interface Shared {
  readonly store: SessionStore;
  readonly namespace: string;
  readonly now: () => number;
  readonly writes: ReturnType<typeof createKeyedMutex>;
  readonly localLocks: LeaseLocks;
  readonly events: Emitter<{ [K in keyof SessionManagerEvents]: SessionManagerEvents[K] }>;
}

const BRAND = Symbol.for("sessionstore.SessionManager");

/** Type guard: `value` was made by {@link createSessionManager} (any copy of core). */
export function isSessionManager(value: unknown): value is SessionManager {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Creates the facade over `store`. Keys are `<namespace>:<subject>:<authType>`.
 * @throws `ERR_INVALID_ARGUMENT` for a bad store, namespace or subject.
 */
export function createSessionManager(store: SessionStore, options: SessionManagerOptions = {}): SessionManager {
  if (!isSessionStore(store)) {
    throw new SessionStoreError(
      "ERR_INVALID_ARGUMENT",
      "store must implement SessionStore (capabilities, get, set, delete, close); wrap a podio-style store with fromLegacyStore()",
      { field: "store" },
    );
  }
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  assertNamespace(namespace);
  assertOptionalFunction(options.now, "options.now");
  const shared: Shared = {
    store,
    namespace,
    now: options.now ?? Date.now,
    writes: createKeyedMutex(),
    localLocks: createLeaseLocks(Date.now, 5),
    events: new Emitter(),
  };
  return scopedManager(shared, options.subject ?? DEFAULT_SUBJECT);
}

function reportUnseen(shared: Shared, error: SessionStoreError): void {
  if (!shared.events.emit("error", error)) {
    console.error(`[sessionstore] ${error.code}: ${error.message} (listen with manager.on('error') to handle this)`);
  }
}

function scopedManager(shared: Shared, subject: string): SessionManager {
  assertSubject(subject);
  const { store, namespace, now } = shared;
  const keyFor = (authType: AuthType) => sessionKey({ namespace, subject, authType });

  const read = async (authType: AuthType): Promise<StoredSession | undefined> => {
    const key = keyFor(authType);
    let record: Awaited<ReturnType<SessionStore["get"]>>;
    try {
      record = await store.get(key);
    } catch (error) {
      throw toStoreError(error, "get");
    }
    return record === undefined ? undefined : decodeSession(record, key);
  };

  const write = async (authType: AuthType, authObject: object, writeOptions: WriteOptions = {}) => {
    const key = keyFor(authType);
    const at = now();
    const auth = normalizeAuthObject(authObject, at);
    if (writeOptions.fingerprint !== undefined && typeof writeOptions.fingerprint !== "string") {
      throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.fingerprint must be a string", {
        field: "options.fingerprint",
      });
    }
    const session: StoredSession = {
      auth,
      updatedAt: at,
      ...(writeOptions.fingerprint ? { fingerprint: writeOptions.fingerprint } : {}),
    };
    const expiry = recordExpiry(auth);
    // Lifetimes are measured on the injected clock; the store keeps wall time.
    const setOptions = expiry === undefined ? {} : { expiresAt: Date.now() + (expiry - at) };
    await shared.writes.run(key, async () => {
      try {
        await store.set(key, encodeSession(session), setOptions);
      } catch (error) {
        throw toStoreError(error, "set");
      }
    });
    return session;
  };

  const remove = (authType: AuthType) => {
    const key = keyFor(authType);
    return shared.writes.run(key, async () => {
      try {
        return await store.delete(key);
      } catch (error) {
        throw toStoreError(error, "delete");
      }
    });
  };

  const getAuth = async (authType: AuthType) => {
    assertAuthType(authType);
    return (await read(authType))?.auth;
  };

  const setAuth = async (authObject: object, authType: AuthType) => {
    assertAuthType(authType);
    if (isEmptyAuthObject(authObject)) {
      await remove(authType);
      return;
    }
    await write(authType, authObject);
  };

  const asError = (error: unknown) =>
    isSessionStoreError(error)
      ? error
      : new SessionStoreError("ERR_STORE_UNAVAILABLE", "unexpected failure", { cause: error });

  const manager: SessionManager & { [BRAND]: true } = {
    [BRAND]: true,
    store,
    namespace,
    subject,
    get capabilities() {
      return store.capabilities;
    },
    get: ((authType: AuthType, callback?: GetCallback) => {
      assertOptionalFunction(callback, "callback");
      const pending = getAuth(authType);
      if (!callback) return pending;
      pending.then(
        (auth) => invokeLater(() => callback(auth)),
        (error: unknown) => {
          const failure = asError(error);
          reportUnseen(shared, failure);
          invokeLater(() => callback(undefined, failure));
        },
      );
      return undefined;
    }) as SessionManager["get"],
    set: ((authObject: object, authType: AuthType, callback?: SetCallback) => {
      assertOptionalFunction(callback, "callback");
      const pending = setAuth(authObject, authType);
      if (!callback) {
        // podio-js logs out with `set({}, authType)` and ignores the result: report
        // a failure there, and keep it from crashing the process as unhandled.
        if (isEmptyAuthObject(authObject)) {
          pending.catch((error: unknown) => reportUnseen(shared, asError(error)));
          return observed(pending);
        }
        return pending;
      }
      pending.then(
        () => invokeLater(() => callback(null)),
        (error: unknown) => invokeLater(() => callback(asError(error))),
      );
      return undefined;
    }) as SessionManager["set"],
    async delete(authType) {
      assertAuthType(authType);
      return remove(authType);
    },
    async read(authType) {
      assertAuthType(authType);
      return read(authType);
    },
    async write(authType, authObject, writeOptions) {
      assertAuthType(authType);
      return write(authType, authObject, writeOptions);
    },
    async lock(authType, lockOptions) {
      assertAuthType(authType);
      const key = `${keyFor(authType)}:lock`;
      if (!canLock(store)) return shared.localLocks.lock(key, lockOptions);
      try {
        return await store.lock(key, lockOptions);
      } catch (error) {
        throw toStoreError(error, "lock");
      }
    },
    keyFor(authType) {
      assertAuthType(authType);
      return keyFor(authType);
    },
    forSubject(other) {
      return scopedManager(shared, other);
    },
    async list() {
      const keys = await listKeys(shared);
      const infos: SessionInfo[] = [];
      for (const key of keys) {
        const parts = parseSessionKey(key);
        if (!parts) continue;
        const base = { key, subject: parts.subject, authType: parts.authType };
        try {
          const record = await store.get(key);
          if (record === undefined) continue;
          const { auth, updatedAt } = decodeSession(record, key);
          infos.push({
            ...base,
            updatedAt,
            refreshable: auth.refreshToken !== undefined,
            ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
          });
        } catch (error) {
          // One unreadable record (garbage, or encrypted with a key we lack) must not hide the others.
          const unreadable =
            isSessionStoreError(error, "ERR_CORRUPT_RECORD") || isSessionStoreError(error, "ERR_DECRYPT");
          if (!unreadable) throw toStoreError(error, "get");
          infos.push({ ...base, refreshable: false, corrupt: true });
        }
      }
      return infos;
    },
    async clear() {
      let removed = 0;
      for (const key of await listKeys(shared)) {
        if (!parseSessionKey(key)) continue;
        const deleted = await shared.writes.run(key, async () => {
          try {
            return await store.delete(key);
          } catch (error) {
            throw toStoreError(error, "delete");
          }
        });
        if (deleted) removed += 1;
      }
      return removed;
    },
    async close() {
      try {
        await store.close();
      } catch (error) {
        throw toStoreError(error, "close");
      }
    },
    on(event, listener) {
      return shared.events.on(event, listener);
    },
  };
  return manager;
}

async function listKeys(shared: Shared): Promise<string[]> {
  if (!canList(shared.store)) {
    throw new SessionStoreError("ERR_UNSUPPORTED", "this store cannot list its keys (capabilities.list is false)");
  }
  try {
    return await shared.store.list(namespacePrefix(shared.namespace));
  } catch (error) {
    throw toStoreError(error, "list");
  }
}
