import { type SessionStore, SessionStoreError } from "@sessionstore/core";
import { isKeyvInstance, type KeyvInstance } from "./keyv-instance.js";

/** Options for {@link createKeyvStore}. */
export interface KeyvStoreOptions {
  /**
   * The Keyv 5 instance to store sessions in, with any adapter
   * (`@keyv/postgres`, `@keyv/mysql`, `@keyv/mongo`, a `Map`...). The store
   * turns its `throwOnErrors` on and never disconnects it: `close()` leaves it
   * to you.
   */
  keyv: KeyvInstance;
  /**
   * Whether the backend deletes expired entries by itself (reported as
   * `capabilities.nativeExpiry`). Expiry is honoured on read either way.
   * @default `true` when the adapter declares `ttlSupport: true`, else `false`
   */
  nativeExpiry?: boolean;
  /**
   * Clock for record expiry, epoch milliseconds (inject one in tests).
   * @default Date.now
   */
  now?: () => number;
  /**
   * A store that can lock across processes (`capabilities.lock`), e.g.
   * `createRedisStore(...)`, or a PostgreSQL or SQLite store every process
   * reaches. `lock()` is delegated to it and `capabilities.lock` becomes
   * `true`, so processes sharing this Keyv backend refresh a session once.
   * Without it the store cannot lock across processes: with refresh tokens
   * that rotate, several processes sharing it can each refresh at once and
   * lose the session. `close()` leaves this store open (it is yours).
   * @default undefined (no cross-process lock)
   */
  lock?: SessionStore;
}

/**
 * Reads `createKeyvStore`'s arguments: the options, or a Keyv instance and more options.
 * @throws `ERR_INVALID_ARGUMENT` naming the option.
 */
export function resolveOptions(
  input: KeyvStoreOptions | KeyvInstance,
  more: Omit<KeyvStoreOptions, "keyv"> | undefined,
): KeyvStoreOptions {
  if (more !== undefined && (typeof more !== "object" || more === null)) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options must be an object", { field: "options" });
  }
  const options = isKeyvInstance(input) ? { ...more, keyv: input } : { ...input, ...more };
  if (typeof options !== "object" || options === null || !isKeyvInstance(options.keyv)) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.keyv must be a Keyv instance", {
      field: "options.keyv",
    });
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.now must be a function", { field: "options.now" });
  }
  return options;
}

/**
 * Keyv 5 resolves `get()` as `undefined` when the backend fails unless
 * `throwOnErrors` is on: an outage would read as "logged out". So it is
 * forced on, and checked, since a wrapper could ignore the setter.
 */
export function enableThrowOnErrors(keyv: KeyvInstance): void {
  if (keyv.throwOnErrors !== true) keyv.throwOnErrors = true;
  if (keyv.throwOnErrors !== true) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.keyv: throwOnErrors could not be turned on", {
      field: "options.keyv",
    });
  }
}
