import { resolve } from "node:path";
import { SessionStoreError } from "@sessionstore/core";

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

/** {@link FileStoreOptions} checked, with every default applied. */
export interface ResolvedFileStoreOptions {
  readonly path: string;
  readonly now: () => number;
  readonly lockStaleMs: number;
  readonly lockWaitMs: number;
  readonly lockPollMs: number;
  readonly onWarning: (error: Error) => void;
  readonly readOnly: boolean;
  readonly watchPollMs: number | undefined;
}

function invalid(field: string, message: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `${field} ${message}`, { field });
}

function readDuration(value: unknown, field: string, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(field, `must be a ${allowZero ? "non-negative" : "positive"} number of milliseconds`);
  }
  return value;
}

function readFunction<T>(value: unknown, field: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "function") throw invalid(field, "must be a function");
  return value as T;
}

function readFlag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalid(field, "must be true or false");
  return value;
}

function emitWarning(error: Error): void {
  process.emitWarning(error);
}

/** Validates what the caller passed to `createFileStore`; names the offending option. */
export function resolveFileStoreOptions(options: FileStoreOptions): ResolvedFileStoreOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid("options", "must be an object with a `path` (the JSON file to keep sessions in)");
  }
  const candidate = options as unknown as Record<string, unknown>;
  const path = candidate.path;
  if (typeof path !== "string" || path.trim().length === 0 || path.includes("\0")) {
    throw invalid("path", "must be a non-empty file path (the JSON file to keep sessions in)");
  }
  return {
    path: resolve(path),
    now: readFunction(candidate.now, "now", Date.now),
    lockStaleMs: readDuration(candidate.lockStaleMs, "lockStaleMs", 10_000, false),
    lockWaitMs: readDuration(candidate.lockWaitMs, "lockWaitMs", 10_000, true),
    lockPollMs: readDuration(candidate.lockPollMs, "lockPollMs", 10, false),
    onWarning: readFunction(candidate.onWarning, "onWarning", emitWarning),
    readOnly: readFlag(candidate.readOnly, "readOnly"),
    watchPollMs:
      candidate.watchPollMs === undefined ? undefined : readDuration(candidate.watchPollMs, "watchPollMs", 0, false),
  };
}
