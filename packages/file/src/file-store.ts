import {
  assertRuntimeSupports,
  type JsonObject,
  type KeyPage,
  type ListPageOptions,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  type SetOptions,
  type StoreCapabilities,
  type StoreChangeListener,
} from "@sessionstore/core";
import { defineStore, type StoredEntry } from "@sessionstore/core/adapter";
import { corruptEntryError, isLiveEntry, type RecordEntry } from "./internal/file-data.js";
import { createFileWatch } from "./internal/file-watch.js";
import { LockedJsonFile } from "./internal/locked-json-file.js";
import { sortedKeyPage } from "./internal/sorted-keys.js";
import { type FileStoreOptions, resolveFileStoreOptions } from "./options.js";

/** A {@link SessionStore} kept in one JSON file, shared safely by every process that opens it, with `watch`. */
export interface FileStore extends SessionStore {
  /** The absolute path of the file. */
  readonly path: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
  watch(listener: StoreChangeListener): () => void;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({
  lock: true,
  list: true,
  listPage: true,
  nativeExpiry: false,
  watch: true,
});

/**
 * Sessions one file is meant for. Every write rewrites the whole file, so a
 * write costs time in proportion to it (see docs/benchmarks.md, scale rows);
 * past this, `onWarning` is told once per store to move to `@sessionstore/sqlite`.
 */
export const FILE_STORE_SESSION_LIMIT = 1000;

/**
 * Creates a store that keeps every session in one JSON file,
 * safe to share between processes: each write locks the file, re-reads it,
 * applies its change and atomically replaces the file (temp file, fsync,
 * rename, directory fsync). Reads are served from memory while the file is
 * unchanged; the file is loaded when the store is made (warm-up), so the first
 * read does not pay for it. A corrupt file (ours, with the `"sessionstore"` format
 * marker, and broken) is moved aside to `<path>.corrupt-<timestamp>` and reported once
 * with `ERR_CORRUPT_RECORD`. A file that is not ours (not JSON, JSON without the marker,
 * an empty file) is refused with `ERR_STORE_UNAVAILABLE` and left exactly as it was.
 *
 * @example
 * ```ts
 * const store = createFileStore({ path: ".sessionstore/sessions.json" });
 * const sessions = createSessionManager(store);
 * ```
 * @throws `ERR_INVALID_ARGUMENT` when `path` or another option is not valid.
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  // workerd's node:fs (nodejs_compat) is an in-memory file system per request:
  // the store would "work" and lose every session. Refuse instead.
  assertRuntimeSupports("@sessionstore/file", {
    workerd: {
      missing: "it has no persistent file system (node:fs there is in memory and gone after the request)",
      instead: "createMemoryStore() from @sessionstore/core for the isolate's lifetime",
    },
  });
  const settings = resolveFileStoreOptions(options);
  const { now, path } = settings;
  const file = new LockedJsonFile(settings);
  const watcher = createFileWatch({ path, pollMs: settings.watchPollMs });
  let warnedAboveLimit = false;

  const warnAboveLimit = (held: number) => {
    if (held <= FILE_STORE_SESSION_LIMIT || warnedAboveLimit) return;
    warnedAboveLimit = true;
    settings.onWarning(
      new Error(
        `file store ${path} holds ${held} sessions (more than ${FILE_STORE_SESSION_LIMIT}): every write ` +
          "rewrites the whole file, so writes slow down as it grows; use @sessionstore/sqlite for this many sessions",
      ),
    );
  };

  /** A file entry as the kit reads it; a corrupt one lists as present and fails `get`. */
  const toStored = (key: string, entry: RecordEntry, forList: boolean): StoredEntry | undefined => {
    if (entry.kind === "record") return { text: entry.text, expiresAt: entry.expiresAt };
    if (forList) return undefined;
    throw corruptEntryError(key);
  };

  const { store } = defineStore({
    kind: "file",
    capabilities: CAPABILITIES,
    now,
    format: "record",
    lockPollMs: settings.lockPollMs,
    describe: (operation) => `${operation} (file "${path}")`,
    backend: {
      async read(key) {
        const entry = (await file.read()).records.get(key);
        // A read before the watch's first look tells it what this instance saw (see SnapshotWatch.seen).
        watcher.seen(key, entry);
        return entry === undefined ? undefined : toStored(key, entry, false);
      },
      async write(key, text, expiresAt) {
        const entry = { kind: "record", text, expiresAt } as const;
        const held = await watcher.ownWrite(key, entry, () =>
          file.update((fresh) => {
            fresh.records.set(key, entry);
            return { result: fresh.records.size, changed: true };
          }),
        );
        warnAboveLimit(held);
      },
      remove(key) {
        return watcher.ownWrite(key, undefined, () =>
          file.update((fresh) => {
            const entry = fresh.records.get(key);
            if (entry === undefined) return { result: false, changed: false };
            fresh.records.delete(key);
            return { result: isLiveEntry(entry, now()), changed: true };
          }),
        );
      },
      async list(prefix) {
        const found: [string, StoredEntry | undefined][] = [];
        for (const [key, entry] of (await file.read()).records) {
          if (key.startsWith(prefix)) found.push([key, toStored(key, entry, true)]);
        }
        return found;
      },
      async listPage(prefix, { cursor, limit }) {
        const { records } = await file.read();
        const page = sortedKeyPage(records, prefix, cursor, limit);
        return {
          entries: page.keys.map((key) => [key, toStored(key, records.get(key) as RecordEntry, true)] as const),
          cursor: page.cursor,
        };
      },
      async tryLock({ name, token, ttlMs, at }) {
        // Look in memory first: polling a held lock then costs a stat, not a locked read of the file.
        const seen = (await file.read()).locks.get(name);
        if (seen !== undefined && seen.expiresAt > at) return false;
        return file.update((fresh) => {
          const held = fresh.locks.get(name);
          if (held && held.expiresAt > now()) return { result: false, changed: false };
          // The lease starts now, not at the attempt: waiting for the file's mutex must not shorten it.
          fresh.locks.set(name, { token, expiresAt: now() + ttlMs });
          return { result: true, changed: true };
        });
      },
      extendLock: ({ name, token, ttlMs }) =>
        file.update((fresh) => {
          if (fresh.locks.get(name)?.token !== token) return { result: false, changed: false };
          fresh.locks.set(name, { token, expiresAt: now() + ttlMs });
          return { result: true, changed: true };
        }),
      // From what the last attempt read: a waiting lock() does not sleep past the holder's lease.
      leaseLeftMs(name) {
        const end = file.loaded?.locks.get(name)?.expiresAt;
        return end === undefined ? undefined : end - now();
      },
      async unlock(name, token) {
        try {
          await file.update((fresh) => {
            if (fresh.locks.get(name)?.token !== token) return { result: undefined, changed: false };
            fresh.locks.delete(name);
            return { result: undefined, changed: true };
          });
        } catch (error) {
          // The lease frees the name anyway: a failed release is worth a warning, not a failure.
          settings.onWarning(error as Error);
        }
      },
      watch: (listener) => watcher.watch(listener),
      async close() {
        watcher.close();
        // Writes already accepted still reach the file; nothing new is accepted.
        await file.idle();
      },
    },
  });

  // Warm-up: the first read is then a stat, not a load (warm() never rejects).
  void file.warm();
  // The kit typed lock/list/watch as optional and list as maybe-sync; the backend above gives all three, list async.
  return Object.assign(store, { path }) as unknown as FileStore;
}
