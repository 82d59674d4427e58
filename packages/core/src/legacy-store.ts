import { type SecretSource, SessionStoreError, toStoreError } from "./errors.js";
import { isPlainRecord } from "./internal/json.js";
import { parseSessionKey } from "./keys.js";
import { isEmptyAuthObject, normalizeAuthObject } from "./normalize.js";
import { decodeSession, encodeSession } from "./session-record.js";
import type { SessionStore, StoreCapabilities } from "./store.js";
import type { AuthType, JsonObject } from "./types.js";

/**
 * A session store written for podio-js: keyed by auth type only, with
 * callbacks. Any mix of sync/async callbacks and returned Promises is accepted
 * (see {@link fromLegacyStore} for the exact rules).
 */
export interface LegacySessionStore {
  get(authType: AuthType, callback: (authObject?: unknown, error?: unknown) => void): unknown;
  set(authObject: object, authType: AuthType, callback?: (error?: unknown) => void): unknown;
}

/** Options for {@link fromLegacyStore}. */
export interface LegacyStoreOptions {
  /**
   * How long to wait for a `get` callback before failing with `ERR_STORE_UNAVAILABLE`.
   * @default 10000
   */
  getTimeoutMs?: number;
  /**
   * How long to wait for a `set` callback from a `set` that declares one. When it
   * never comes, the write is taken as done (podio-js never waited either).
   * @default 1000
   */
  setCallbackGraceMs?: number;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: false, list: false, nativeExpiry: false });

/** Type guard: `value` looks like a podio-style store (`get` and `set` functions, no `capabilities`). */
export function isLegacySessionStore(value: unknown): value is LegacySessionStore {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.get === "function" && typeof candidate.set === "function" && !("capabilities" in candidate);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

// The one mapping every store uses: it masks what a legacy store echoes of the session it was handed.
function failure(operation: string, cause: unknown, secrets?: SecretSource): SessionStoreError {
  return toStoreError(cause, `legacy ${operation}`, secrets);
}

function authTypeOf(key: string): AuthType {
  const parts = parseSessionKey(key);
  if (!parts)
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", `key "${key}" is not a session key`, { field: "key" });
  return parts.authType;
}

/**
 * Wraps a podio-style session store as a {@link SessionStore}, so it can be
 * given to `createSessionManager` or the client. The rules:
 *
 * - One session per auth type: the namespace and subject of the key are not
 *   seen by the legacy store (it was written for one user). Fingerprints and
 *   record expiry are not kept either.
 * - `get`: the value passed to the callback, or else the value a returned
 *   Promise resolves to, is the session. `undefined`, `null`, `{}` mean none.
 *   An `Error` as first argument, a throw, a rejected Promise or no answer
 *   within `getTimeoutMs` reject with `ERR_STORE_UNAVAILABLE`. An object that is
 *   not a valid session is `ERR_CORRUPT_RECORD`. Its `expiresIn` has no known
 *   start, so no `expiresAt` is made up for it.
 * - `set` and delete (`set({}, authType)`): success is `callback()`,
 *   `callback(null)` or `callback(undefined)`, a resolved returned Promise, or —
 *   for a `set` declaring fewer than three parameters — returning without a
 *   throw. A `set` that declares a callback but never calls it is taken as done
 *   after `setCallbackGraceMs`. Anything else passed to the callback, a throw or
 *   a rejection is `ERR_STORE_UNAVAILABLE`.
 */
export function fromLegacyStore(legacy: LegacySessionStore, options: LegacyStoreOptions = {}): SessionStore {
  if (!isLegacySessionStore(legacy)) {
    throw new SessionStoreError(
      "ERR_INVALID_ARGUMENT",
      "legacy store must have get(authType, callback) and set(authObject, authType, callback)",
      { field: "store" },
    );
  }
  const getTimeoutMs = options.getTimeoutMs ?? 10_000;
  const graceMs = options.setCallbackGraceMs ?? 1_000;
  const now = options.now ?? Date.now;

  const callGet = (authType: AuthType) =>
    new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        () => settle(() => reject(new Error(`get callback not called within ${getTimeoutMs} ms`))),
        getTimeoutMs,
      );
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        action();
      };
      try {
        const returned = legacy.get(authType, (authObject, error) => {
          if (authObject instanceof Error) settle(() => reject(authObject));
          else if (error instanceof Error) settle(() => reject(error));
          else settle(() => resolve(authObject));
        });
        if (isThenable(returned))
          returned.then(
            (value) => settle(() => resolve(value)),
            (error: unknown) => settle(() => reject(error)),
          );
      } catch (error) {
        settle(() => reject(error));
      }
    });

  const callSet = (authObject: object, authType: AuthType) =>
    new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        action();
      };
      try {
        const returned = legacy.set(authObject, authType, (error) => {
          if (error === null || error === undefined) settle(resolve);
          else settle(() => reject(error));
        });
        if (isThenable(returned)) {
          returned.then(
            () => settle(resolve),
            (error: unknown) => settle(() => reject(error)),
          );
        } else if (legacy.set.length < 3) {
          settle(resolve);
        } else if (!settled) {
          timer = setTimeout(() => settle(resolve), graceMs);
        }
      } catch (error) {
        settle(() => reject(error));
      }
    });

  return {
    capabilities: CAPABILITIES,
    kind: "legacy",
    async get(key) {
      const authType = authTypeOf(key);
      let value: unknown;
      try {
        value = await callGet(authType);
      } catch (error) {
        throw failure("get", error);
      }
      if (value === undefined || value === null || isEmptyAuthObject(value)) return undefined;
      if (!isPlainRecord(value))
        throw new SessionStoreError("ERR_CORRUPT_RECORD", `legacy store returned a ${typeof value} for "${authType}"`);
      try {
        const auth = normalizeAuthObject(value, now(), { stampExpiry: false });
        return encodeSession({ auth, updatedAt: now() });
      } catch (error) {
        throw new SessionStoreError(
          "ERR_CORRUPT_RECORD",
          `legacy store returned an invalid session for "${authType}"`,
          { cause: error },
        );
      }
    },
    async set(key, record: JsonObject) {
      const authType = authTypeOf(key);
      const { auth } = decodeSession(record, key);
      try {
        await callSet({ ...auth }, authType);
      } catch (error) {
        throw failure("set", error, auth);
      }
    },
    async delete(key) {
      const authType = authTypeOf(key);
      try {
        await callSet({}, authType);
      } catch (error) {
        throw failure("delete", error);
      }
      return true;
    },
    close() {},
  };
}
