import {
  isSessionStoreError,
  type JsonObject,
  type KeyPage,
  type ListPageOptions,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  SessionStoreError,
  type SetOptions,
  type StoreCapabilities,
  type StoreChangeListener,
  toStoreError,
} from "@sessionstore/core";
import {
  assertLockOptions,
  defineStore,
  lockTimeoutError,
  randomLockToken,
  type StoreBackend,
  storeClosedError,
} from "@sessionstore/core/adapter";
import { createChangeFeed } from "./internal/change-feed.js";
import { openRedisConnection } from "./internal/connection.js";
import { withDeadline } from "./internal/deadline.js";
import { keyvEnvelopeCodec, writeRecord } from "./internal/envelope.js";
import { redisKeySpace } from "./internal/keys.js";
import { createRecordKeyv } from "./internal/keyv.js";
import { redisListing } from "./internal/listing.js";
import { EXTEND_SCRIPT, RELEASE_SCRIPT, runLockScript } from "./internal/lock-scripts.js";
import { stalledLockCleaner } from "./internal/stalled-locks.js";
import { type RedisStoreOptions, resolveRedisOptions } from "./options.js";

/**
 * Releases a Redis lock (see {@link SessionStore.lock}) and can renew its lease.
 * Both act only while the lock still holds this holder's token.
 */
export type RedisLockRelease = ReleaseLock & {
  /**
   * Renews the lease to `ttlMs` from now, if this holder still has the lock.
   * @returns `false` when the lease had already run out (someone else may hold it now).
   * @throws `ERR_STORE_UNAVAILABLE` when Redis fails; `ERR_INVALID_ARGUMENT` for a bad `ttlMs`.
   */
  extend(ttlMs: number): Promise<boolean>;
};

/** A {@link SessionStore} on Redis, with lock (SET NX PX + Lua release), list and listPage (SCAN). */
export interface RedisStore extends SessionStore {
  /** The key prefix every record and lock of this store lives under (`options.keyPrefix`). */
  readonly keyPrefix: string;
  /** @deprecated Renamed {@link RedisStore.keyPrefix}; the same value. */
  readonly namespace: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<RedisLockRelease>;
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
  watch(listener: StoreChangeListener): () => void;
  close(): Promise<void>;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({
  lock: true,
  list: true,
  listPage: true,
  nativeExpiry: true,
  watch: true,
});

// Redis refuses a PX whose absolute time overflows a 64-bit ms clock, and a
// JS number past 2^53 is no longer an integer: an expiry further away than
// this (~142,000 years) is stored as this.
const MAX_TTL_MS = 2 ** 52;

/** A GET's reply as the record's text; keyv reads a non-string reply as missing too. */
function textOrMissing(reply: unknown): string | undefined {
  return typeof reply === "string" ? reply : undefined;
}

/** A key holding a hash or list where a record belongs is corrupt data, not an outage. */
function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("WRONGTYPE");
}

/**
 * Creates a Redis-backed {@link SessionStore} for several processes and
 * machines: records through keyv + `@keyv/redis` with Redis' own TTL,
 * a lease lock per key, and listing by SCAN. See the package README for the
 * key layout, outage behaviour and Redis Cluster.
 *
 * The store connects on first use. Every call settles within
 * `connectTimeoutMs + commandTimeoutMs`; during an outage calls reject with
 * `ERR_STORE_UNAVAILABLE`, and succeed again once Redis is back, on the same store.
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  const resolved = resolveRedisOptions(options);
  const { keyPrefix, commandTimeoutMs, lockPollMs } = resolved;
  const keys = redisKeySpace(keyPrefix);
  const connection = openRedisConnection(resolved);
  const keyv = createRecordKeyv(connection.keyvClient);
  const { commands, records } = connection;
  const feed = createChangeFeed({
    channel: keys.changes,
    openSubscriber: () => connection.duplicate(),
    publish: (channel, message) => run("publish", () => records.publish(channel, message)),
    retryMs: resolved.connectTimeoutMs,
  });
  // Locks this store holds (token -> lock key), released by close().
  const held = new Map<string, string>();
  let closed = false;
  // Wakes lock() calls sleeping between polls when the store closes, so they
  // reject ERR_STORE_CLOSED at once instead of at their next poll.
  const closing = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        closing.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      closing.add(wake);
    });

  const cleanUpLater = stalledLockCleaner({
    commands,
    ready: async () => {
      if (!connection.isReady()) await connection.ready();
    },
    isClosed: () => closed,
    commandTimeoutMs,
    lockPollMs,
    pause,
  });

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  const toError = (error: unknown, operation: string): SessionStoreError => {
    // A command cut short by close() failed because the caller closed the store, not because Redis is down.
    if (closed && !(isSessionStoreError(error) && error.code === "ERR_STORE_CLOSED")) {
      return new SessionStoreError("ERR_STORE_CLOSED", "the store was closed", { cause: error });
    }
    if (isSessionStoreError(error)) return error;
    if (closed) return new SessionStoreError("ERR_STORE_CLOSED", "the store was closed", { cause: error });
    if (isWrongType(error)) {
      return new SessionStoreError("ERR_CORRUPT_RECORD", `store ${operation} failed: key holds a non-string value`, {
        cause: error,
      });
    }
    return toStoreError(error, operation);
  };

  /** Waits for Redis (bounded), then runs one command (bounded); every failure becomes a SessionStoreError. */
  const run = <T>(operation: string, command: () => Promise<T>): Promise<T> => {
    const failed = (error: unknown) => Promise.reject(toError(error, operation));
    const bounded = () => {
      try {
        return withDeadline(operation, commandTimeoutMs, command(), (error) => toError(error, operation));
      } catch (error) {
        return failed(error);
      }
    };
    // Connected (the usual case): no async frame and no hop before the command is queued.
    return connection.isReady() ? bounded() : connection.ready().then(bounded, failed);
  };

  const release = async (token: string) => {
    const lockKey = held.get(token);
    if (lockKey === undefined) return;
    held.delete(token);
    await run("unlock", () => runLockScript(commands, RELEASE_SCRIPT, lockKey, [token]));
  };

  const extend = async (token: string, ttlMs: number): Promise<boolean> => {
    ensureOpen();
    const { ttlMs: lease } = assertLockOptions({ ttlMs, waitMs: 0 });
    const lockKey = held.get(token);
    if (lockKey === undefined) return false;
    const px = String(Math.min(Math.max(1, Math.ceil(lease)), MAX_TTL_MS));
    const renewed =
      (await run("extend lock", () => runLockScript(commands, EXTEND_SCRIPT, lockKey, [token, px]))) === 1;
    if (!renewed) held.delete(token);
    return renewed;
  };

  /** A lock of this store on `key`: SET NX PX with our token, polled (close-aware) until `waitMs`. */
  const lock = async (key: string, lockOptions: LockOptions): Promise<RedisLockRelease> => {
    const { ttlMs, waitMs } = assertLockOptions(lockOptions);
    const lockKey = keys.lock(key);
    const token = randomLockToken();
    const px = Math.min(Math.max(1, Math.ceil(ttlMs)), MAX_TTL_MS);
    const deadline = Date.now() + waitMs;
    for (;;) {
      ensureOpen();
      let reply: unknown;
      try {
        reply = await run("lock", () =>
          commands.set(lockKey, token, { condition: "NX", expiration: { type: "PX", value: px } }),
        );
      } catch (error) {
        // The SET may still run once Redis answers again (a stall, not a refusal):
        // delete it by its token then, or it stands a full lease with no holder.
        if (!closed) cleanUpLater(lockKey, token, px);
        throw error;
      }
      if (reply === "OK" && closed) {
        // Taken as the store closed: close() no longer releases it, so do it here.
        await withDeadline("unlock", commandTimeoutMs, runLockScript(commands, RELEASE_SCRIPT, lockKey, [token])).catch(
          () => undefined,
        );
        throw storeClosedError();
      }
      if (reply === "OK") {
        held.set(token, lockKey);
        const releaseLock = () => release(token);
        return Object.assign(releaseLock, { extend: (lease: number) => extend(token, lease) });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw lockTimeoutError(key, waitMs);
      await pause(Math.min(lockPollMs, left));
      ensureOpen();
    }
  };

  // The kit checks keys, expiry and the closed state; this is what Redis does. Reads and
  // writes skip keyv's layers (see writeRecord): the record format and deletes stay keyv's.
  const backend: StoreBackend = {
    // Not async: every read comes through here (an async frame costs a promise and a resumption).
    read(key) {
      feed.seen(key);
      return run("get", () => records.get(keys.record(key))).then(textOrMissing);
    },
    write(key, text, expiresAt) {
      feed.seen(key);
      const rawKey = keys.record(key);
      const ttlMs = expiresAt === undefined ? undefined : Math.min(Math.ceil(expiresAt - Date.now()), MAX_TTL_MS);
      // Expired between the kit's check and now: PX refuses a non-positive TTL, and the
      // old record must not outlive a write that replaced it, so the key goes.
      if (ttlMs !== undefined && ttlMs <= 0) return Promise.resolve(backend.remove(key)).then(() => undefined);
      // SET and its notice go in one round trip (see writeRecord).
      return run("set", () => writeRecord(records, rawKey, text, ttlMs, () => feed.announce(key), connection.cluster));
    },
    async remove(key) {
      feed.seen(key);
      const removed = await run("delete", () => keyv.delete(keys.record(key)));
      // The record is gone: a failed PUBLISH does not fail the delete (the feed never rejects).
      if (removed) await feed.announce(key);
      return removed;
    },
    ...redisListing({ keys, scanTargets: () => connection.scanTargets(), run }),
    watch: (listener) => feed.watch(listener),
    lock,
    async close() {
      closed = true;
      for (const wake of [...closing]) wake();
      feed.close();
      const stillHeld = [...held];
      held.clear();
      // Best effort, bounded: leases free these anyway, and a Redis outage
      // must not make close() hang or fail.
      await Promise.allSettled(
        stillHeld.map(([token, lockKey]) =>
          withDeadline("unlock", commandTimeoutMs, runLockScript(commands, RELEASE_SCRIPT, lockKey, [token])),
        ),
      );
      await connection.close();
    },
  };

  const { store } = defineStore({ kind: "redis", capabilities: CAPABILITIES, backend, format: keyvEnvelopeCodec });
  return Object.assign(store as RedisStore, { keyPrefix, namespace: keyPrefix });
}
