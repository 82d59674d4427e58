import { resolve } from "node:path";
import type {
  JsonObject,
  KeyPage,
  ListPageOptions,
  LockOptions,
  ReleaseLock,
  SessionStore,
  SetOptions,
  StoreChangeListener,
} from "@sessionstore/core";
import { defineStore } from "@sessionstore/core/adapter";
import { type Database, openDatabase } from "./internal/database.js";
import { createSqliteWatch } from "./internal/sqlite-watch.js";
import {
  deleteValue,
  extendLock,
  listValues,
  listValuesPage,
  purgeExpired,
  readValue,
  releaseLock,
  tryAcquireLock,
  writeValue,
} from "./internal/statements.js";
import { readSqliteOptions, type SqliteStoreOptions } from "./options.js";

export type { SqliteStoreOptions } from "./options.js";

/** A {@link SessionStore} in one SQLite file: lock, list and watch included, every call a Promise. */
export interface SqliteStore extends SessionStore {
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
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

/**
 * Creates a {@link SqliteStore}: one file (via @keyv/sqlite's connection),
 * shared safely by every process that opens it (WAL, a busy timeout,
 * single-statement writes and a lease lock). The database starts opening when
 * the store is made (warm-up), so the first call does not pay for it; an open
 * that fails is tried again by the first call, which reports it
 * (`ERR_STORE_UNAVAILABLE`).
 * @throws `ERR_INVALID_ARGUMENT` for an invalid option.
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  const settings = readSqliteOptions(options);
  const path = resolve(settings.path);
  const { table, now } = settings;
  let opening: Promise<Database> | undefined;
  let purgeTimer: ReturnType<typeof setInterval> | undefined;

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
        if (!kit.closed()) startPurging(db);
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

  const watcher = createSqliteWatch({
    table,
    run: (operation, body) => kit.run(operation, async () => body(await database())),
    pollMs: settings.watchPollMs,
  });

  const kit = defineStore({
    kind: "sqlite",
    capabilities: Object.freeze({
      lock: true,
      list: true,
      listPage: true,
      nativeExpiry: settings.purgeIntervalMs > 0,
      watch: true,
    }),
    now,
    lockPollMs: settings.lockPollMs,
    describe: (operation) => `${operation} (sqlite "${path}")`,
    backend: {
      // A read before the watch's first poll tells it what this instance saw (see SnapshotWatch.seen).
      read: async (key) => watcher.seen(key, await readValue(await database(), table, key)),
      write: (key, text) => watcher.ownWrite(key, text, async () => writeValue(await database(), table, key, text)),
      remove: (key) => watcher.ownWrite(key, undefined, async () => deleteValue(await database(), table, key)),
      list: async (prefix) => listValues(await database(), table, prefix),
      listPage: async (prefix, page) => listValuesPage(await database(), table, prefix, page),
      tryLock: async (lease) => tryAcquireLock(await database(), table, lease),
      unlock: async (name, token) => releaseLock(await database(), table, name, token),
      extendLock: async (lease) => extendLock(await database(), table, lease),
      watch: (listener) => watcher.watch(listener),
      async close() {
        watcher.close();
        if (purgeTimer !== undefined) clearInterval(purgeTimer);
        const pending = opening;
        opening = undefined;
        const db = await pending?.catch(() => undefined);
        await db?.close();
      },
    },
  });

  // Warm-up: never rejects unhandled; database() forgets a failed open, so the first call retries and reports it.
  database().catch(() => undefined);

  return Object.assign(kit.store as SqliteStore, {
    path,
    purgeExpired: () => kit.run("purge", async () => purgeExpired(await database(), table, now())),
  });
}
