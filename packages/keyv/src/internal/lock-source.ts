import { canLock, isSessionStore, type LockingStore, SessionStoreError } from "@sessionstore/core";

/**
 * Checks the `lock` option of `createKeyvStore`: a store that can lock across
 * processes (declares `capabilities.lock` and implements `lock()`), such as a
 * Redis store. Keyv itself has no atomic "set if absent", so a lock has to
 * come from a backend that has one.
 * @returns the store, or `undefined` when none was given.
 * @throws `ERR_INVALID_ARGUMENT` naming `options.lock` for anything else.
 */
export function resolveLockSource(value: unknown): LockingStore | undefined {
  if (value === undefined) return undefined;
  if (!isSessionStore(value) || !canLock(value)) {
    throw new SessionStoreError(
      "ERR_INVALID_ARGUMENT",
      "options.lock must be a store that can lock (capabilities.lock true and a lock() method), e.g. createRedisStore(...)",
      { field: "options.lock" },
    );
  }
  return value;
}
