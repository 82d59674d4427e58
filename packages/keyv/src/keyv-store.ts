import {
  assertStoreKey,
  decodeEnvelope,
  encodeEnvelope,
  isExpired,
  isSessionStoreError,
  type JsonObject,
  readExpiresAt,
  type SessionStore,
  SessionStoreError,
  type SetOptions,
  type StoreCapabilities,
  storeClosedError,
} from "@sessionstore/core";
import { envelopeTextOf } from "./internal/envelope.js";
import { callKeyv, failOnEmittedError, keyFromIterated, storageKeyOf } from "./internal/keyv-access.js";
import { resolveLockSource } from "./internal/lock-source.js";
import { tolerantIterator, UNREADABLE_ENTRY } from "./internal/tolerant-iterator.js";
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

/** A {@link SessionStore} over a Keyv instance. `lock` when a lock store is given; `list` when the adapter can iterate. */
export interface KeyvStore extends SessionStore {
  /** The Keyv instance the store writes to (the one you passed in). */
  readonly keyv: KeyvInstance;
}

/** The key the store reads once when it is made, to open the backend early; nothing is ever written there. */
const WARM_UP_KEY = "sessionstore-warm-up";

function hasTtlSupport(store: unknown): boolean {
  return typeof store === "object" && store !== null && (store as { ttlSupport?: unknown }).ttlSupport === true;
}

function resolveOptions(
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
function enableThrowOnErrors(keyv: KeyvInstance): void {
  if (keyv.throwOnErrors !== true) keyv.throwOnErrors = true;
  if (keyv.throwOnErrors !== true) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "options.keyv: throwOnErrors could not be turned on", {
      field: "options.keyv",
    });
  }
}

/**
 * Makes any Keyv 5 instance a {@link SessionStore}.
 *
 * - Records are written as JSON text carrying their own `expiresAt`, so expiry
 *   is honoured on read even by backends that ignore Keyv's ttl; the ttl is
 *   passed too, so backends with native expiry drop the entry themselves.
 * - `throwOnErrors` is turned on in the instance you pass: a failing backend
 *   rejects with `ERR_STORE_UNAVAILABLE`, it never reads as "no session".
 * - `lock` is offered only when `options.lock` names a store that can lock
 *   (a Redis store, say): Keyv has no atomic "set if absent", so a lock built
 *   on get-then-set would let two holders in.
 * - `list` is offered when the instance can iterate (`keyv.iterator`), decided
 *   when the store is made.
 * - `close()` never disconnects the instance; call `keyv.disconnect()` yourself.
 * - Making the store reads one key (`sessionstore-warm-up`, under the
 *   instance's namespace) and ignores the answer: adapters that connect or
 *   create their table on first use do it now, so the first real call is not
 *   the slow one. A failure there is not reported; the first call meets it.
 *
 * @example
 * ```ts
 * const store = createKeyvStore(new Keyv(new KeyvPostgres({ uri })), {
 *   lock: createRedisStore({ url: "redis://127.0.0.1:6379" }),
 * });
 * ```
 * @param options the options, or a Keyv instance alone (`createKeyvStore(keyv)`).
 * @param more further options when the first argument is a Keyv instance (`createKeyvStore(keyv, { lock })`).
 * @throws `ERR_INVALID_ARGUMENT` when no Keyv instance is given, or `lock` cannot lock.
 */
export function createKeyvStore(
  options: KeyvStoreOptions | KeyvInstance,
  more?: Omit<KeyvStoreOptions, "keyv">,
): KeyvStore {
  const resolved = resolveOptions(options, more);
  const { keyv, now = Date.now, nativeExpiry } = resolved;
  const lockSource = resolveLockSource(resolved.lock);
  enableThrowOnErrors(keyv);
  const iterator = keyv.iterator;
  // Keyv strips a namespace segment from iterated keys even when it has no namespace to strip.
  const canList = typeof iterator === "function" && (!keyv.useKeyPrefix || Boolean(keyv.namespace));
  const capabilities: StoreCapabilities = Object.freeze({
    lock: lockSource !== undefined,
    list: canList,
    nativeExpiry: nativeExpiry ?? hasTtlSupport(keyv.store),
  });
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  const read = async (key: string): Promise<JsonObject | undefined> => {
    const raw = await callKeyv("get", `record at key "${key}"`, () => keyv.get(storageKeyOf(keyv, key), { raw: true }));
    const text = envelopeTextOf(raw, key);
    if (text === undefined) return undefined;
    const envelope = decodeEnvelope(text, key);
    // Not deleted here: another process may be writing a fresh record right now.
    return isExpired(envelope.expiresAt, now()) ? undefined : envelope.record;
  };

  const remove = (key: string) =>
    callKeyv("delete", `record at key "${key}"`, () => keyv.delete(storageKeyOf(keyv, key)));

  const store: KeyvStore = {
    capabilities,
    keyv,
    kind: "keyv",
    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      return read(key);
    },
    async set(key: string, record: JsonObject, setOptions?: SetOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      const text = encodeEnvelope(record, expiresAt);
      const current = now();
      if (expiresAt !== undefined && expiresAt <= current) {
        // Dead on arrival: what the caller asked for is "no live record here".
        await remove(key);
        return;
      }
      // 0 means "never" to Keyv and overrides a default ttl set on the instance.
      const ttl = expiresAt === undefined ? 0 : Math.max(1, Math.ceil(expiresAt - current));
      // An SQL driver may quote the row it failed to write (PostgreSQL's "Failing row contains"): pass the record.
      const written = await callKeyv(
        "set",
        `record at key "${key}"`,
        () => keyv.set(storageKeyOf(keyv, key), text, ttl),
        record,
      );
      if (written === false) {
        throw new SessionStoreError("ERR_STORE_UNAVAILABLE", "store set failed: the Keyv adapter reported a failure");
      }
    },
    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      let live: boolean;
      try {
        live = (await read(key)) !== undefined;
      } catch (error) {
        // Deleting is how a corrupt record gets cleared: it counts as one.
        if (!isSessionStoreError(error, "ERR_CORRUPT_RECORD")) throw error;
        live = true;
      }
      const removed = await remove(key);
      return live && removed;
    },
    close() {
      closed = true;
    },
  };

  // Warm-up (see above): never rejects unhandled, and keeps no state.
  Promise.resolve()
    .then(() => keyv.get(storageKeyOf(keyv, WARM_UP_KEY), { raw: true }))
    .catch(() => undefined);

  if (lockSource) {
    store.lock = async (name, lockOptions) => {
      ensureOpen();
      assertStoreKey(name);
      return lockSource.lock(name, lockOptions);
    };
  }
  if (canList && iterator) {
    store.list = async (prefix: string) => {
      ensureOpen();
      if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
      return failOnEmittedError(keyv, "list", () =>
        callKeyv("list", `an entry listed under prefix "${prefix}"`, async () => {
          const keys: string[] = [];
          // One entry Keyv cannot deserialize is listed (its get() reports it corrupt), not fatal to the rest.
          const iterate = tolerantIterator(keyv) ?? (() => iterator.call(keyv));
          for await (const entry of iterate()) {
            if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
            const key = keyFromIterated(keyv, entry[0]);
            if (key?.startsWith(prefix) && (entry[1] === UNREADABLE_ENTRY || isLive(entry[1], key, now()))) {
              keys.push(key);
            }
          }
          return keys;
        }),
      );
    };
  }
  return store;
}

/** A corrupt entry is listed (so `clear` can remove it); an expired one is not. */
function isLive(text: unknown, key: string, at: number): boolean {
  try {
    return !isExpired(decodeEnvelope(text, key).expiresAt, at);
  } catch {
    return true;
  }
}
