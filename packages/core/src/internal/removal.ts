import { assertLockOptions } from "../adapter/helpers.js";
import { invalidOption } from "../adapter/option-checks.js";
import { SessionStoreError, toStoreError } from "../errors.js";
import { parseSessionKey } from "../keys.js";
import type { DeleteOptions } from "../session-manager-types.js";
import type { LockOptions, ReleaseLock, SessionStore } from "../store.js";
import { isPlainRecord } from "./json.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { announceWrite, type WriteAnnouncer } from "./read-your-writes.js";
import { lockNameFor, type SessionLocks } from "./session-lock.js";
import { storeCall } from "./store-call.js";

/** What the removal paths need from a manager. */
export interface RemovalContext {
  readonly store: SessionStore;
  readonly writes: KeyedMutex;
  readonly locks: SessionLocks;
  /** Reads of a key in flight answer with a removal issued meanwhile (read-your-writes.ts). */
  readonly written: WriteAnnouncer;
}

/** Checks lock options given to the manager; `field` names them in the error. */
export function readLockOptions(options: unknown, field: string): LockOptions {
  try {
    return assertLockOptions(options);
  } catch (error) {
    throw invalidOption(field, "must be { ttlMs > 0, waitMs >= 0 } (milliseconds)", error);
  }
}

/** Checks `delete`'s options; an option not given is `undefined` (only the removal reads this). */
export function readDeleteOptions(options: unknown): { [K in keyof DeleteOptions]: DeleteOptions[K] | undefined } {
  if (options === undefined) return {};
  if (!isPlainRecord(options)) {
    throw invalidOption("options", "must be an object");
  }
  const heldLock = options.heldLock;
  if (heldLock !== undefined && typeof heldLock !== "function") {
    throw invalidOption("options.heldLock", "must be a lock's release function");
  }
  if (heldLock !== undefined && options.lock !== undefined) {
    throw invalidOption("options.lock", "and options.heldLock exclude each other");
  }
  return {
    heldLock: heldLock as ReleaseLock | undefined,
    lock: options.lock === undefined ? undefined : readLockOptions(options.lock, "options.lock"),
  };
}

/** The lock `clear` takes per session, from its options. */
export function readClearLock(options: unknown, fallback: LockOptions): LockOptions {
  if (options === undefined) return fallback;
  if (!isPlainRecord(options)) {
    throw invalidOption("options", "must be an object");
  }
  return options.lock === undefined ? fallback : readLockOptions(options.lock, "options.lock");
}

/**
 * Deletes the record at `key` holding the session's lock (the one a refresh
 * holds from its re-read to its write): a refresh in flight finishes first,
 * then the delete lands, and no refresh can write its pair back behind it.
 * It queues with the record's other writes in issue order; see `writeQueue`
 * for why that cannot deadlock with a holder of the lock in this process.
 * @returns whether a record was there.
 * @throws `ERR_LOCK_TIMEOUT` when the lock was not free within `lock.waitMs` (nothing was deleted).
 */
export function removeLocked(
  context: RemovalContext,
  key: string,
  lock: LockOptions,
  heldLock: ReleaseLock | undefined,
): Promise<boolean> {
  const deleteRecord = () => storeCall("delete", () => context.store.delete(key));
  const lockName = lockNameFor(key);
  // The holder of the lock (a logout) deletes at once. Anyone else queues in issue
  // order with the key's writes and takes the lock in its turn: `set({})` then
  // `set(pair)` without waiting (podio-js refreshes so) must end with the pair.
  // A lock holder of this process writes past that queue (see `writeQueue`), so
  // a removal waiting for its lock there never blocks the holder's own write.
  const removed =
    heldLock !== undefined
      ? context.locks.runLocked(lockName, lock, heldLock, deleteRecord)
      : context.writes.run(key, () => context.locks.runLocked(lockName, lock, undefined, deleteRecord));
  // Announced as issued (not once the lock is had): a read in flight answers with it.
  return announceWrite(context.written, key, removed);
}

/**
 * Deletes every session key in `keys`, each under its own lock. A key whose
 * lock or delete fails does not stop the others (a key-leak response must
 * remove all it can); the first failure is thrown at the end, saying how many
 * sessions are still there.
 * @returns how many records were removed.
 */
export async function removeAll(context: RemovalContext, keys: readonly string[], lock: LockOptions): Promise<number> {
  let removed = 0;
  const failures: SessionStoreError[] = [];
  for (const key of keys) {
    if (!parseSessionKey(key)) continue;
    try {
      if (await removeLocked(context, key, lock, undefined)) removed += 1;
    } catch (error) {
      failures.push(toStoreError(error, "delete"));
    }
  }
  const [first] = failures;
  if (first) {
    throw new SessionStoreError(
      first.code,
      `clear removed ${removed} session(s) but could not remove ${failures.length}: ${first.message}`,
      { cause: first },
    );
  }
  return removed;
}

/**
 * Runs a write of `key` in issue order with the key's other writes, except for a
 * write made while this manager holds the session's lock (a refresh or a
 * deferred write): it goes at once, since a removal queued ahead of it waits for
 * that very lock.
 */
export function writeQueue<T>(context: RemovalContext, key: string, task: () => Promise<T>): Promise<T> {
  return context.locks.isHeldFor(key) ? task() : context.writes.run(key, task);
}
