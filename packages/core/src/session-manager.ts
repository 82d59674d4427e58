import { normalizeForWrite } from "#internal/canonical-auth";
import { revokeAllSessions } from "#internal/revoke-all-entry";
import { invalidOption } from "./adapter/option-checks.js";
import type { SessionStoreError } from "./errors.js";
import { assertOptionalFunction } from "./internal/callbacks.js";
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
import { storeCall } from "./internal/store-call.js";
import {
  assertAuthType,
  assertNamespace,
  assertSubject,
  DEFAULT_NAMESPACE,
  DEFAULT_SUBJECT,
  namespacePrefix,
} from "./keys.js";
import { callbackForms } from "./legacy-callbacks.js";
import { isEmptyAuthObject } from "./normalize.js";
import { type KeyBatches, keyBatches, listPages } from "./session-listing.js";
import type {
  SessionInfo,
  SessionManager,
  SessionManagerEvents,
  SessionManagerOptions,
  WriteOptions,
} from "./session-manager-types.js";
import { decodeSession, encodeSession, recordExpiry, type StoredSession } from "./session-record.js";
import { isSessionStore, type LockOptions, type SessionStore } from "./store.js";
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
    throw invalidOption(
      "store",
      "must implement SessionStore (capabilities, get, set, delete, close); wrap a podio-style store with fromLegacyStore()",
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
  // One string per auth type: the store and the manager's maps look it up on every call, and a
  // string built once keeps its hash (a new concatenation is flattened and hashed again).
  const keys: Partial<Record<AuthType, string>> = {};
  const keyFor = (authType: AuthType) => (keys[authType] ??= keyPrefix + authType);

  const read = (authType: AuthType): Promise<StoredSession | undefined> => {
    const key = keyFor(authType);
    const readStore = async () => {
      const record = await storeCall("get", () => store.get(key));
      return record === undefined ? undefined : decodeSession(record, key);
    };
    return readYourWrites(shared.written, key, readStore, !shared.locks.isHeldByCallerFor(key));
  };

  /**
   * Writes `authObject` and announces it to the reads in flight. Not async: every write comes
   * through here, and each async frame on the way costs a promise and a resumption.
   * @throws (synchronously) for a bad auth object or option: callers are async, which turns that into a rejection.
   */
  const write = (authType: AuthType, authObject: object, writeOptions: WriteOptions = {}) => {
    const key = keyFor(authType);
    const at = now();
    const auth = normalizeForWrite(authObject, at);
    if (writeOptions.fingerprint !== undefined && typeof writeOptions.fingerprint !== "string") {
      throw invalidOption("options.fingerprint", "must be a string");
    }
    const session: StoredSession = {
      auth,
      updatedAt: at,
      ...(writeOptions.fingerprint ? { fingerprint: writeOptions.fingerprint } : {}),
    };
    const expiry = recordExpiry(auth);
    // Lifetimes are measured on the injected clock; the store keeps wall time.
    const setOptions = expiry === undefined ? {} : { expiresAt: Date.now() + (expiry - at) };
    // Masks the tokens of this session even where the store's own mapping did not know them.
    const stored = writeQueue(shared, key, () =>
      storeCall("set", () => store.set(key, encodeSession(session), setOptions), auth),
    );
    return announceWrite(shared.written, key, stored, session).then(() => session);
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
    await (isEmptyAuthObject(authObject) ? remove(authType) : write(authType, authObject));
  };

  const manager: SessionManager & { [BRAND]: true } = {
    [BRAND]: true,
    store,
    namespace,
    subject,
    get capabilities() {
      return store.capabilities;
    },
    ...callbackForms(getAuth, setAuth, (error) => reportUnseen(shared, error)),
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
      // A paging walk may give a key twice (Redis SCAN while it resizes); one array has each session once.
      const infos = new Map<string, SessionInfo>();
      // Keys in big batches (few calls), records still read a page of 100 at a time.
      const batches = batchesOf(shared);
      for await (const page of listPages(store, () => batches(LIST_BATCH)))
        for (const info of page) infos.set(info.key, info);
      return [...infos.values()];
    },
    listPages(options) {
      return listPages(store, batchesOf(shared), options);
    },
    async clear(clearOptions) {
      return removeAll(shared, await listKeys(shared), readClearLock(clearOptions, shared.removalLock));
    },
    revokeAll(revokeOptions) {
      return revokeAllSessions(manager, revokeOptions);
    },
    close: () => storeCall("close", () => store.close()),
    on(event, listener) {
      return shared.events.on(event, listener);
    },
  };
  return manager;
}

function batchesOf({ store, namespace }: Shared): KeyBatches {
  return keyBatches(store, namespacePrefix(namespace), storeCall);
}

/** Every key of the namespace, each once (`clear` removes them all, so it holds them all). */
async function listKeys(shared: Shared): Promise<string[]> {
  const keys = new Set<string>();
  for await (const batch of batchesOf(shared)(LIST_BATCH)) for (const key of batch) keys.add(key);
  return [...keys];
}

/** Keys asked of a paging store per call by `list` and `clear`: few round trips, a bounded answer each. */
const LIST_BATCH = 1000;
