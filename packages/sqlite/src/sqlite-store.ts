import { resolve } from "node:path";
import {
  assertLockOptions,
  assertStoreKey,
  decodeEnvelope,
  encodeEnvelope,
  isExpired,
  type JsonObject,
  type LockOptions,
  lockTimeoutError,
  type ReleaseLock,
  randomLockToken,
  readExpiresAt,
  type SecretSource,
  type SessionStore,
  SessionStoreError,
  type SetOptions,
  type StoreChangeListener,
  sleep,
  storeClosedError,
  toStoreError,
} from "@sessionstore/core";
import { type Database, openDatabase } from "./internal/database.js";
import { envelopeTextOf } from "./internal/envelope.js";
import { readSqliteOptions } from "./internal/options.js";
import { createSqliteWatch } from "./internal/sqlite-watch.js";
import {
  deleteRecord,
  listKeys,
  purgeExpired,
  releaseLock,
  releaseLocks,
  tryAcquireLock,
} from "./internal/statements.js";

/** Options for {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file. Relative paths are resolved against the working
   * directory when the store is made. A missing directory is created with
   * mode 0700, a missing file with mode 0600.
   * @default ".sessionstore/sessions.db"
   */
  path?: string;
  /**
   * Table of the records; locks go in `<table>_locks`. A letter, then up to
   * 62 letters, digits or underscores.
   * @default "sessions"
   */
  table?: string;
  /**
   * How long a statement waits for another connection's write lock before
   * failing with `SQLITE_BUSY` (SQLite's `busy_timeout`), in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * How often expired records (and ended lock leases) are deleted while the
   * store is open, in milliseconds; `0` turns the timer off. They are also
   * deleted when the database is opened, and by {@link SqliteStore.purgeExpired}.
   * The timer is `unref`'d: it never keeps the process alive.
   * @default 60000
   */
  purgeIntervalMs?: number;
  /**
   * Delete expired records once when the database is opened. `false` for a
   * store that only inspects (the CLI's `list` and `show`), so opening it
   * deletes nothing.
   * @default true
   */
  purgeOnOpen?: boolean;
  /**
   * How often a waiting `lock()` tries again, in milliseconds (jittered).
   * @default 25
   */
  lockPollMs?: number;
  /**
   * Clock for record expiry and lock leases, epoch milliseconds. Every process
   * sharing the file must use the same clock: inject one only in tests.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How often `watch()` reads `PRAGMA data_version` (a counter SQLite bumps
   * when another connection commits) while someone watches, in milliseconds.
   * Records are read and compared only when it moved. No timer runs while
   * nobody watches.
   * @default 200
   */
  watchPollMs?: number;
}

/** A {@link SessionStore} in one SQLite file: lock, list and watch included, every call a Promise. */
export interface SqliteStore extends SessionStore {
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  watch(listener: StoreChangeListener): () => void;
  /** The absolute path of the database file. */
  readonly path: string;
  /**
   * Deletes expired records and ended lock leases now (the timer does it every
   * `purgeIntervalMs`).
   * @returns how many records were deleted.
   */
  purgeExpired(): Promise<number>;
  close(): Promise<void>;
}

function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && error.name === "SyntaxError";
}

/**
 * Creates a {@link SqliteStore}: keyv 5 + @keyv/sqlite on one file, shared
 * safely by every process that opens it (WAL, a busy timeout, single-statement
 * writes and a lease lock). The database starts opening when the store is
 * made (warm-up), so the first call does not pay for it; an open that fails
 * is tried again by the first call, which reports it (`ERR_STORE_UNAVAILABLE`).
 * @throws `ERR_INVALID_ARGUMENT` for an invalid option.
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  const settings = readSqliteOptions(options);
  const path = resolve(settings.path);
  const { table, now } = settings;
  let closed = false;
  let opening: Promise<Database> | undefined;
  let purgeTimer: ReturnType<typeof setInterval> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  // Locks this store holds (token -> name), released by close().
  const held = new Map<string, string>();

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  // Core's one mapping: it masks the record a failed write carried, and token-like text, in message and cause.
  const unavailable = (operation: string, error: unknown, secrets?: SecretSource): SessionStoreError =>
    toStoreError(error, `${operation} (sqlite "${path}")`, secrets);

  const startPurging = (db: Database) => {
    if (settings.purgeIntervalMs === 0) return;
    purgeTimer = setInterval(() => {
      // Best effort: reads hide expired records anyway, and the next run retries.
      purgeExpired(db, table, now()).catch(() => undefined);
    }, settings.purgeIntervalMs);
    purgeTimer.unref();
  };

  const database = (): Promise<Database> => {
    opening ??= openDatabase({ path, table, busyTimeoutMs: settings.busyTimeoutMs }).then(
      async (db) => {
        if (settings.purgeOnOpen) await purgeExpired(db, table, now()).catch(() => undefined);
        // When close() came first it closes this database itself (it awaits `opening`).
        if (!closed) startPurging(db);
        return db;
      },
      (error: unknown) => {
        // The next call tries again: the directory may have been fixed meanwhile.
        opening = undefined;
        throw error;
      },
    );
    return opening;
  };

  /** Runs `body` on the open database; close() waits for it before closing. */
  const run = <T>(operation: string, body: (db: Database) => Promise<T>, secrets?: SecretSource): Promise<T> => {
    const task = (async () => {
      ensureOpen();
      try {
        return await body(await database());
      } catch (error) {
        throw unavailable(operation, error, secrets);
      }
    })();
    inFlight.add(task);
    const forget = () => inFlight.delete(task);
    task.then(forget, forget);
    return task;
  };

  // Warm-up: never rejects unhandled; database() forgets a failed open, so the first call retries and reports it.
  database().catch(() => undefined);
  const watcher = createSqliteWatch({ table, run, pollMs: settings.watchPollMs });

  return {
    capabilities: Object.freeze({ lock: true, list: true, nativeExpiry: settings.purgeIntervalMs > 0, watch: true }),
    kind: "sqlite",
    path,
    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      return run("get", async (db) => {
        let entry: unknown;
        try {
          entry = await db.keyv.get(key, { raw: true });
        } catch (error) {
          if (!isSyntaxError(error)) throw error;
          // Not chained: V8's SyntaxError quotes the stored text (the tokens) around the fault.
          throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not a Keyv entry`);
        }
        const text = envelopeTextOf(entry, key);
        if (text === undefined) return undefined;
        const envelope = decodeEnvelope(text, key);
        return isExpired(envelope.expiresAt, now()) ? undefined : envelope.record;
      });
    },
    async set(key: string, record: JsonObject, setOptions?: SetOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      const text = encodeEnvelope(record, expiresAt);
      // Dead on arrival: what the caller asked for is "no live record here".
      const dead = isExpired(expiresAt, now());
      await watcher.ownWrite(key, dead ? undefined : text, () =>
        run(
          "set",
          async (db) => {
            if (dead) {
              await deleteRecord(db, table, key, now());
              return;
            }
            // ttl 0: no Keyv expiry (see envelope.ts); the envelope carries it.
            if ((await db.keyv.set(key, text, 0)) === false) throw new Error("Keyv reported a failed write");
          },
          record,
        ),
      );
    },
    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      return watcher.ownWrite(key, undefined, () => run("delete", (db) => deleteRecord(db, table, key, now())));
    },
    watch(listener) {
      ensureOpen();
      if (typeof listener !== "function") throw new TypeError("watch(listener): listener must be a function");
      return watcher.watch(listener);
    },
    async list(prefix) {
      ensureOpen();
      if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
      return run("list", (db) => listKeys(db, table, prefix, now()));
    },
    async lock(name, lockOptions) {
      ensureOpen();
      assertStoreKey(name);
      const { ttlMs, waitMs } = assertLockOptions(lockOptions);
      const token = randomLockToken();
      return run("lock", async (db) => {
        // Waiting is measured on the real clock, so an injected frozen clock cannot make it endless.
        const deadline = Date.now() + waitMs;
        for (;;) {
          ensureOpen();
          const at = now();
          if (await tryAcquireLock(db, table, { name, token, expiresAt: at + ttlMs, at })) break;
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw lockTimeoutError(name, waitMs);
          await sleep(Math.max(1, Math.min(remaining, settings.lockPollMs * (0.5 + Math.random()))));
        }
        held.set(token, name);
        return async () => {
          // Once closing, close() releases what is still in `held`; a second call finds nothing.
          if (closed || !held.delete(token)) return;
          await run("release lock", (current) => releaseLock(current, table, name, token));
        };
      });
    },
    async purgeExpired() {
      ensureOpen();
      return run("purge", (db) => purgeExpired(db, table, now()));
    },
    async close() {
      if (closed) return;
      closed = true;
      watcher.close();
      if (purgeTimer !== undefined) clearInterval(purgeTimer);
      await Promise.allSettled([...inFlight]);
      const pending = opening;
      opening = undefined;
      const db = await pending?.catch(() => undefined);
      if (!db) return;
      let failure: { error: unknown } | undefined;
      try {
        await releaseLocks(db, table, held);
      } catch (error) {
        failure = { error };
      }
      held.clear();
      try {
        await db.close();
      } catch (error) {
        failure ??= { error };
      }
      if (failure) throw unavailable("close", failure.error);
    },
  };
}
