import {
  assertRuntimeSupports,
  type JsonObject,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  type SetOptions,
  type StoreCapabilities,
  type StoreChangeListener,
  toStoreError,
} from "@sessionstore/core";
import {
  assertLockOptions,
  assertStoreKey,
  isExpired,
  lockTimeoutError,
  parseRecord,
  randomLockToken,
  readExpiresAt,
  serializeRecord,
  sleep,
  storeClosedError,
} from "@sessionstore/core/adapter";
import { Low } from "lowdb";
import { corruptEntryError, emptyFileData, type FileData, isLiveEntry } from "./internal/file-data.js";
import { createFileWatch } from "./internal/file-watch.js";
import { type Change, LockedJsonFile } from "./internal/locked-json-file.js";
import { resolveFileStoreOptions } from "./internal/options.js";

/** Options for {@link createFileStore}. */
export interface FileStoreOptions {
  /**
   * The JSON file that holds every session (required). Relative paths are
   * resolved against the current directory once, when the store is created.
   * A missing parent directory is created with mode 0700; the file is
   * written with mode 0600.
   */
  path: string;
  /**
   * Clock for record expiry and `lock()` leases, epoch milliseconds. Inject
   * one in tests; processes sharing a file must all use the real clock.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Lease of the file lock every write takes: a lock whose holder has not
   * refreshed it for this long is taken over (its holder hung, or died on
   * another machine). A holder that died on this machine is detected by its
   * pid and taken over at once. Must be longer than the slowest write.
   * @default 10000
   */
  lockStaleMs?: number;
  /**
   * How long a write waits for the file lock held by a live process before it
   * rejects with `ERR_STORE_UNAVAILABLE`.
   * @default 10000
   */
  lockWaitMs?: number;
  /**
   * How often a waiting `lock()` looks again, in milliseconds.
   * @default 10
   */
  lockPollMs?: number;
  /**
   * Told about problems that do not fail an operation: the file lock was
   * taken from this process while it held it (it held it past `lockStaleMs`),
   * or a `lock()` release could not be written (its lease frees it).
   * @default process.emitWarning
   */
  onWarning?: (error: Error) => void;
  /**
   * Open the file for inspection only: reads work; nothing is ever written,
   * renamed or created (no lock directory, no temp file, and a corrupt file is
   * reported with `ERR_CORRUPT_RECORD` but left where it is). `set`, `delete`,
   * `clear` and `lock` reject with `ERR_UNSUPPORTED`. The CLI's `list` and
   * `show` open files this way.
   * @default false
   */
  readOnly?: boolean;
  /**
   * How `watch()` notices changes: by default fs.watch on the file's
   * directory (falling back to a 250 ms stat poll where fs.watch fails). Set
   * this to poll the file's stat every `watchPollMs` milliseconds instead —
   * needed on network filesystems (NFS, SMB), where fs.watch sees only this
   * machine's changes. Nothing runs while nobody watches.
   * @default undefined (fs.watch)
   */
  watchPollMs?: number;
}

/** A {@link SessionStore} kept in one JSON file, shared safely by every process that opens it, with `watch`. */
export interface FileStore extends SessionStore {
  /** The absolute path of the file. */
  readonly path: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  watch(listener: StoreChangeListener): () => void;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: true, list: true, nativeExpiry: false, watch: true });

/**
 * Sessions one file is meant for. Every write rewrites the whole file, so a
 * write costs time in proportion to it (see docs/benchmarks.md, scale rows);
 * past this, `onWarning` is told once per store to move to `@sessionstore/sqlite`.
 */
export const FILE_STORE_SESSION_LIMIT = 1000;

/**
 * Creates a store that keeps every session in one JSON file (through lowdb),
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
  const { now } = settings;
  const file = new LockedJsonFile(settings);
  const db = new Low<FileData>(file, emptyFileData());
  let closed = false;
  let warnedAboveLimit = false;

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  const readData = async (operation: string): Promise<FileData> => {
    try {
      await db.read();
      return db.data;
    } catch (error) {
      throw toStoreError(error, operation);
    }
  };

  const change = async <T>(operation: string, apply: (fresh: FileData) => Change<T>): Promise<T> => {
    try {
      return await file.update(apply);
    } catch (error) {
      throw toStoreError(error, operation);
    }
  };

  const watcher = createFileWatch({ path: settings.path, pollMs: settings.watchPollMs });

  const tryTakeLease = (key: string, token: string, ttlMs: number) =>
    change("lock", (fresh) => {
      const held = fresh.locks.get(key);
      if (held && held.expiresAt > now()) return { result: false, changed: false };
      fresh.locks.set(key, { token, expiresAt: now() + ttlMs });
      return { result: true, changed: true };
    });

  const releaseLease = (key: string, token: string) =>
    change("unlock", (fresh) => {
      if (fresh.locks.get(key)?.token !== token) return { result: undefined, changed: false };
      fresh.locks.delete(key);
      return { result: undefined, changed: true };
    });

  // Warm-up: the first read is then a stat, not a load (warm() never rejects).
  void file.warm();

  return {
    capabilities: CAPABILITIES,
    kind: "file",
    path: settings.path,

    async get(key: string) {
      ensureOpen();
      assertStoreKey(key);
      const entry = (await readData("get")).records.get(key);
      if (!isLiveEntry(entry, now())) return undefined;
      if (entry.kind === "corrupt") throw corruptEntryError(key);
      return parseRecord(entry.text, key);
    },

    async set(key: string, record: JsonObject, setOptions?: SetOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      const entry = { kind: "record", text: serializeRecord(record), expiresAt } as const;
      const held = await watcher.ownWrite(key, entry, () =>
        change("set", (fresh) => {
          fresh.records.set(key, entry);
          return { result: fresh.records.size, changed: true };
        }),
      );
      if (held > FILE_STORE_SESSION_LIMIT && !warnedAboveLimit) {
        warnedAboveLimit = true;
        settings.onWarning(
          new Error(
            `file store ${settings.path} holds ${held} sessions (more than ${FILE_STORE_SESSION_LIMIT}): every write ` +
              "rewrites the whole file, so writes slow down as it grows; use @sessionstore/sqlite for this many sessions",
          ),
        );
      }
    },

    async delete(key: string) {
      ensureOpen();
      assertStoreKey(key);
      return watcher.ownWrite(key, undefined, () =>
        change("delete", (fresh) => {
          const entry = fresh.records.get(key);
          if (entry === undefined) return { result: false, changed: false };
          fresh.records.delete(key);
          return { result: isLiveEntry(entry, now()), changed: true };
        }),
      );
    },

    watch(listener) {
      ensureOpen();
      if (typeof listener !== "function") throw new TypeError("watch(listener): listener must be a function");
      return watcher.watch(listener);
    },

    async lock(key, lockOptions) {
      ensureOpen();
      assertStoreKey(key);
      const { ttlMs, waitMs } = assertLockOptions(lockOptions);
      const token = randomLockToken();
      // Waiting is measured on the real clock: an injected, frozen clock must not make lock() wait forever.
      const deadline = Date.now() + waitMs;
      for (;;) {
        ensureOpen();
        // Look in memory first: polling a held lock then costs a stat, not a locked read of the file.
        const held = (await readData("lock")).locks.get(key);
        const heldUntil = held === undefined || isExpired(held.expiresAt, now()) ? undefined : held.expiresAt;
        if (heldUntil === undefined && (await tryTakeLease(key, token, ttlMs))) {
          let released = false;
          return async () => {
            if (released || closed) return;
            released = true;
            try {
              await releaseLease(key, token);
            } catch (error) {
              settings.onWarning(error as Error);
            }
          };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw lockTimeoutError(key, waitMs);
        const untilExpiry = heldUntil === undefined ? settings.lockPollMs : heldUntil - now();
        await sleep(Math.max(1, Math.min(settings.lockPollMs, remaining, untilExpiry)));
      }
    },

    async list(prefix) {
      ensureOpen();
      if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
      const at = now();
      const keys: string[] = [];
      for (const [key, entry] of (await readData("list")).records) {
        if (key.startsWith(prefix) && isLiveEntry(entry, at)) keys.push(key);
      }
      return keys;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      watcher.close();
      // Writes already accepted still reach the file; nothing new is accepted.
      await file.idle();
    },
  };
}
