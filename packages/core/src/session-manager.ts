import { revokeAllSessions } from "#internal/revoke-all-entry";
import { SessionStoreError, toStoreError } from "./errors.js";
import { assertOptionalFunction, invokeLater, observed } from "./internal/callbacks.js";
import { Emitter } from "./internal/emitter.js";
import { createKeyedMutex } from "./internal/keyed-mutex.js";
import { announceWrite, readYourWrites, type WriteAnnouncer } from "./internal/read-your-writes.js";
import {
  readClearLock,
  readDeleteOptions,
  readLockOptions,
  removeAll,
  removeLocked,
  writeQueue,
} from "./internal/removal.js";
import { createSessionLocks, DEFAULT_REMOVAL_LOCK, lockNameFor, type SessionLocks } from "./internal/session-lock.js";
import {
  assertAuthType,
  assertNamespace,
  assertSubject,
  DEFAULT_NAMESPACE,
  DEFAULT_SUBJECT,
  namespacePrefix,
} from "./keys.js";
import { isEmptyAuthObject, normalizeAuthObject } from "./normalize.js";
import { listPages } from "./session-listing.js";
import type {
  GetCallback,
  SessionInfo,
  SessionManager,
  SessionManagerEvents,
  SessionManagerOptions,
  SetCallback,
  WriteOptions,
} from "./session-manager-types.js";
import { decodeSession, encodeSession, recordExpiry, type StoredSession } from "./session-record.js";
import { canList, isSessionStore, type LockOptions, type SessionStore } from "./store.js";
import type { AuthType } from "./types.js";

interface Shared {
  readonly store: SessionStore;
  readonly namespace: string;
  readonly now: () => number;
  readonly writes: ReturnType<typeof createKeyedMutex>;
  readonly events: Emitter<SessionManagerEvents>;
  /** Writes of record keys as they are issued, so a read in flight answers with them (read-your-writes.ts). */
  readonly written: WriteAnnouncer;
  readonly locks: SessionLocks;
  readonly removalLock: LockOptions;
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
  const removalLock =
    options.removalLock === undefined
      ? DEFAULT_REMOVAL_LOCK
      : readLockOptions(options.removalLock, "options.removalLock");
  const writes = createKeyedMutex();
  const shared: Shared = {
    store,
    namespace,
    now: options.now ?? Date.now,
    writes,
    events: new Emitter(),
    written: new Emitter(),
    locks: createSessionLocks(store, writes),
    removalLock,
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
  // Namespace and subject were checked once (creation, forSubject): a key is their prefix plus a checked auth type.
  const keyPrefix = `${namespace}:${subject}:`;
  const keyFor = (authType: AuthType) => keyPrefix + authType;

  const read = (authType: AuthType): Promise<StoredSession | undefined> => {
    const key = keyFor(authType);
    const readStore = async () => {
      let record: Awaited<ReturnType<SessionStore["get"]>>;
      try {
        record = await store.get(key);
      } catch (error) {
        throw toStoreError(error, "get");
      }
      return record === undefined ? undefined : decodeSession(record, key);
    };
    return readYourWrites(shared.written, key, readStore, !shared.locks.isHeldByCaller(lockNameFor(key)));
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
    const stored = writeQueue(shared, key, async () => {
      try {
        await store.set(key, encodeSession(session), setOptions);
      } catch (error) {
        // Masks the tokens of this session even where the store's own mapping did not know them.
        throw toStoreError(error, "set", auth);
      }
    });
    await announceWrite(shared.written, key, stored, session);
    return session;
  };

  // Under the session's lock, like a refresh: a refresh in flight elsewhere cannot write its pair back after this.
  const remove = (authType: AuthType, removeOptions: ReturnType<typeof readDeleteOptions> = {}) =>
    removeLocked(shared, keyFor(authType), removeOptions.lock ?? shared.removalLock, removeOptions.heldLock);

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

  // Errors that reach a legacy callback: ours as they are, anything else wrapped (and redacted).
  const asError = (error: unknown) => toStoreError(error, "call");

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
    async delete(authType, deleteOptions) {
      assertAuthType(authType);
      return remove(authType, readDeleteOptions(deleteOptions));
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
      return shared.locks.takeForCaller(lockNameFor(keyFor(authType)), lockOptions);
    },
    keyFor(authType) {
      assertAuthType(authType);
      return keyFor(authType);
    },
    forSubject(other) {
      return scopedManager(shared, other);
    },
    async list() {
      const infos: SessionInfo[] = [];
      for await (const page of listPages(store, () => listKeys(shared))) infos.push(...page);
      return infos;
    },
    listPages(options) {
      return listPages(store, () => listKeys(shared), options);
    },
    async clear(clearOptions) {
      return removeAll(shared, await listKeys(shared), readClearLock(clearOptions, shared.removalLock));
    },
    revokeAll(revokeOptions) {
      return revokeAllSessions(manager, revokeOptions);
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
