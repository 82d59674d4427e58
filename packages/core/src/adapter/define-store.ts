import { toStoreError } from "../errors.js";
import { parseRecord, serializeRecord } from "../internal/json.js";
import type { SetOptions } from "../store.js";
import type { Awaitable, JsonObject } from "../types.js";
import { createDecodedRecords, type DecodedRecord } from "./decoded-records.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import {
  assertLockOptions,
  assertStoreKey,
  isExpired,
  randomLockToken,
  readExpiresAt,
  storeClosedError,
} from "./helpers.js";
import { attachListing } from "./listing.js";
import { invalidOption } from "./option-checks.js";
import { pollLease } from "./poll-lease.js";
import type { DefinedStore, RecordCodec, StoreDefinition, StoredEntry, StoreKit } from "./store-backend.js";

/** Stored text that is the record itself (no envelope): the expiry, if any, is kept beside it. */
const parseBare = (text: string, key: string): DecodedRecord => ({
  record: parseRecord(text, key),
  expiresAt: undefined,
});

/** A Promise, or a thenable from another realm or library (never a stored entry: those are strings or plain objects). */
function isThenable<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

/**
 * Builds a {@link SessionStore} from a backend's calls. Written once here for
 * every adapter: closed check (`ERR_STORE_CLOSED`), key check (also list
 * prefixes and lock names), `expiresAt` check, dead-on-arrival writes (an
 * expiry already past deletes), envelope encode/decode with expiry on read,
 * error mapping through `toStoreError` with the record as secret (a driver
 * error quoting it never leaks a token), in-flight tracking so `close()` waits
 * for running calls, locks released at close, and a waiting `lock()` rejected
 * with `ERR_STORE_CLOSED` at close.
 */
export function defineStore(definition: StoreDefinition): StoreKit {
  const { backend, kind, capabilities } = definition;
  const now = definition.now ?? Date.now;
  const describe = definition.describe ?? ((operation: string) => operation);
  const format = definition.format ?? "envelope";
  const codec: RecordCodec | undefined =
    format === "envelope"
      ? { encode: encodeEnvelope, decode: decodeEnvelope }
      : format === "record"
        ? undefined
        : format;
  const lockPollMs = definition.lockPollMs ?? 25;
  // Locks this store holds (token -> name), released by close().
  const held = new Map<string, string>();
  let closed = false;
  let active = 0;
  let drained: (() => void) | undefined;
  const decoded = createDecodedRecords();
  const decodeText = codec ? (text: string, key: string) => codec.decode(text, key) : parseBare;

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };
  const settle = () => {
    active -= 1;
    if (active === 0) drained?.();
  };

  const run = async <T>(operation: string, body: () => Awaitable<T>, secrets?: JsonObject): Promise<T> => {
    ensureOpen();
    active += 1;
    try {
      return await body();
    } catch (error) {
      throw toStoreError(error, describe(operation), secrets);
    } finally {
      settle();
    }
  };

  /** The live record in `entry`, or `undefined` when it expired. */
  const recordOf = (entry: StoredEntry, key: string): JsonObject | undefined => {
    if (typeof entry !== "string") {
      return isExpired(entry.expiresAt, now()) ? undefined : decoded.decode(key, entry.text, parseBare).record;
    }
    const { record, expiresAt } = decoded.decode(key, entry, decodeText);
    return isExpired(expiresAt, now()) ? undefined : record;
  };

  /** Whether `entry` holds a live record; one that cannot be decoded counts (so it can be listed and cleared). */
  const isLive = (entry: StoredEntry | boolean | undefined, key: string): boolean => {
    if (typeof entry === "boolean") return entry;
    if (entry === undefined) return false;
    try {
      if (typeof entry !== "string") return !isExpired(entry.expiresAt, now());
      return !codec || !isExpired(codec.decode(entry, key).expiresAt, now());
    } catch {
      return true;
    }
  };

  const store: DefinedStore = {
    capabilities,
    kind,
    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      active += 1;
      try {
        // No await for a backend that answers at once (memory): get/set are the hot path.
        const pending = backend.read(key);
        const entry = isThenable(pending) ? await pending : pending;
        return entry === undefined ? undefined : recordOf(entry, key);
      } catch (error) {
        throw toStoreError(error, describe("get"));
      } finally {
        settle();
      }
    },
    // Not async: every write comes through here, and a `then` on the backend's promise costs
    // one promise where an async function costs two and a job.
    set(key: string, record: JsonObject, options?: SetOptions): Promise<void> {
      let expiresAt: number | undefined;
      let text: string;
      try {
        ensureOpen();
        assertStoreKey(key);
        expiresAt = readExpiresAt(options);
        text = codec ? codec.encode(record, expiresAt) : serializeRecord(record);
      } catch (error) {
        return Promise.reject(error);
      }
      const failed = (error: unknown) => {
        settle();
        return Promise.reject(toStoreError(error, describe("set"), record));
      };
      active += 1;
      let pending: Awaitable<unknown>;
      try {
        // Dead on arrival: what the caller asked for is "no live record here".
        pending = isExpired(expiresAt, now()) ? backend.remove(key) : backend.write(key, text, expiresAt, record);
      } catch (error) {
        return failed(error);
      }
      const written = () => {
        // Not for correctness (a changed text decodes anew): the replaced tokens are not kept in memory.
        decoded.forget(key);
        settle();
      };
      if (!isThenable(pending)) {
        written();
        return Promise.resolve();
      }
      return Promise.resolve(pending).then(written, failed);
    },
    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      const removed = await run("delete", () => backend.remove(key));
      decoded.forget(key);
      return isLive(removed, key);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (active > 0) await new Promise<void>((resolve) => (drained = resolve));
      let failure: { error: unknown } | undefined;
      const unlock = backend.unlock;
      if (unlock) {
        // All at once: during an outage each unlock waits out its bound, and close() must take one bound, not N.
        const unlocked = await Promise.allSettled([...held].map(([token, name]) => unlock.call(backend, name, token)));
        for (const outcome of unlocked) if (outcome.status === "rejected") failure ??= { error: outcome.reason };
      }
      held.clear();
      decoded.clear();
      try {
        await backend.close?.();
      } catch (error) {
        failure ??= { error };
      }
      if (failure) throw toStoreError(failure.error, describe("close"));
    },
  };

  attachListing(store, { backend, syncList: definition.syncList === true, ensureOpen, run, describe, isLive });
  const { watch, tryLock, unlock, extendLock } = backend;
  if (watch) {
    store.watch = (listener) => {
      ensureOpen();
      if (typeof listener !== "function") {
        throw invalidOption("listener", "must be a function");
      }
      return watch.call(backend, listener);
    };
  }
  if (backend.lock) {
    const delegate = backend.lock.bind(backend);
    store.lock = async (name, options) => {
      ensureOpen();
      assertStoreKey(name);
      return delegate(name, options);
    };
  } else if (tryLock && unlock) {
    const leaseLeftMs = backend.leaseLeftMs?.bind(backend);
    store.lock = async (name, options) => {
      ensureOpen();
      assertStoreKey(name);
      const { ttlMs, waitMs } = assertLockOptions(options);
      const token = randomLockToken();
      await pollLease({
        name,
        waitMs,
        pollMs: lockPollMs,
        ensureOpen,
        tryAcquire: () =>
          run("lock", async () => {
            const at = now();
            const taken = await tryLock.call(backend, { name, token, ttlMs, at, expiresAt: at + ttlMs });
            // Recorded before the call settles, so a close() waiting for it frees this lock too.
            if (taken) held.set(token, name);
            return taken;
          }),
        ...(leaseLeftMs ? { leaseLeftMs: () => leaseLeftMs(name) } : {}),
      });
      // Taken while close() was waiting for the attempt: close() freed it.
      ensureOpen();
      const release = async () => {
        // Once closing, close() frees what is still held; a second call finds nothing.
        if (closed || !held.delete(token)) return;
        await run("release lock", () => unlock.call(backend, name, token));
      };
      if (!extendLock) return release;
      const extend = async (lease: number) => {
        ensureOpen();
        const { ttlMs: renewedMs } = assertLockOptions({ ttlMs: lease, waitMs: 0 });
        if (!held.has(token)) return false;
        return run("extend lock", async () => {
          const at = now();
          const renewed = await extendLock.call(backend, {
            name,
            token,
            ttlMs: renewedMs,
            at,
            expiresAt: at + renewedMs,
          });
          // Someone else's now: releasing must not touch it, and close() need not free it.
          if (!renewed) held.delete(token);
          return renewed;
        });
      };
      return Object.assign(release, { extend });
    };
  }
  return { store, run, closed: () => closed };
}
