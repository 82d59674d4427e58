import { isSessionManager, type SessionStore } from "@sessionstore/core";
import { invalidArgument } from "../errors.js";

/** The code of the warning a client gives when its store cannot lock across processes. */
export const NO_CROSS_PROCESS_LOCK = "SESSIONSTORE_NO_CROSS_PROCESS_LOCK";

/** The message of that warning: what goes wrong, and how to fix it. */
export const NO_CROSS_PROCESS_LOCK_MESSAGE =
  "the session store cannot lock across processes (capabilities.lock is false). If several processes share it " +
  "and the platform rotates refresh tokens, two of them can refresh at once and the session is lost. " +
  "Fix: use a store that locks (file, SQLite, Redis, PostgreSQL, MySQL), give a Keyv store a lock " +
  "(createKeyvStore(keyv, { lock: createRedisStore(...) })), or pass singleProcess: true to the client " +
  "when only this one process uses the store.";

// process.emitWarning once per store: every client made on it would say the same.
const warnedStores = new WeakSet<object>();

/**
 * Whether `store` leaves clients in other processes free to refresh at the
 * same time. A store that declares `capabilities.lock` locks for every process
 * that can reach its backend, so the in-memory store (a backend of one
 * process) is fine, and only a store without a lock is reported.
 */
function lacksCrossProcessLock(store: SessionStore): boolean {
  return !store.capabilities.lock || typeof store.lock !== "function";
}

/**
 * Announces a store that cannot lock across processes, unless the caller said
 * only one process uses it (`singleProcess: true`): a `'warning'` event on the
 * client (emitted after the constructor returns, so a listener added right
 * after it hears it) and, once per store, `process.emitWarning` with
 * {@link NO_CROSS_PROCESS_LOCK} where the runtime has it. `given` is what
 * the caller passed as `sessionStore`.
 */
export function announceMissingLock(
  store: SessionStore,
  given: unknown,
  singleProcess: unknown,
  emit: (payload: { readonly code: string; readonly message: string }) => void,
): void {
  if (singleProcess !== undefined && typeof singleProcess !== "boolean") {
    throw invalidArgument("options.singleProcess", "must be a boolean");
  }
  if (singleProcess === true || !lacksCrossProcessLock(store)) return;
  queueMicrotask(() => emit({ code: NO_CROSS_PROCESS_LOCK, message: NO_CROSS_PROCESS_LOCK_MESSAGE }));
  // What the caller passed identifies the store: a podio-style store is wrapped anew for every client.
  const identity = isSessionManager(given) ? given.store : typeof given === "object" && given !== null ? given : store;
  if (warnedStores.has(identity)) return;
  warnedStores.add(identity);
  const host = globalThis as { process?: { emitWarning?(message: string, options: object): void } };
  host.process?.emitWarning?.(NO_CROSS_PROCESS_LOCK_MESSAGE, {
    type: "SessionStoreWarning",
    code: NO_CROSS_PROCESS_LOCK,
  });
}
