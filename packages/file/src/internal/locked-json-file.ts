import { mkdir, open, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { SessionStoreError } from "@sessionstore/core";
import { removeLeftovers, writeFileAtomic } from "./atomic-write.js";
import {
  emptyFileData,
  type FileData,
  FileFormatError,
  parseFileData,
  purgeExpired,
  serializeFileData,
} from "./file-data.js";
import { acquireFileLock, type FileLock } from "./file-lock.js";
import { errorCode } from "./fs-errors.js";

/** What a change made to the fresh data: its result, and whether the file must be rewritten. */
export interface Change<T> {
  readonly result: T;
  readonly changed: boolean;
}

/** Options for {@link LockedJsonFile}. */
export interface LockedJsonFileOptions {
  readonly path: string;
  readonly lockStaleMs: number;
  readonly lockWaitMs: number;
  readonly now: () => number;
  readonly onWarning: (error: Error) => void;
  /** Never write, rename or create anything: writes reject, a corrupt file is reported and left alone. */
  readonly readOnly?: boolean;
}

interface PendingChange {
  readonly apply: (data: FileData) => Change<unknown>;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Snapshot {
  readonly signature: string;
  readonly data: FileData;
}

const MISSING = "missing";

/** Identifies one version of the file cheaply: rename gives a new inode, and ns times catch in-place edits. */
function signatureOf(info: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

async function currentSignature(path: string): Promise<string> {
  try {
    return signatureOf(await stat(path, { bigint: true }));
  } catch (error) {
    if (errorCode(error) === "ENOENT") return MISSING;
    throw error;
  }
}

/** A filesystem-safe timestamp for `<path>.corrupt-<timestamp>`. */
function quarantineStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}

/**
 * One JSON file shared by many processes (the store's backend; no lowdb: see the README).
 *
 * - `read()` serves the last loaded data while the file's stat signature is
 *   unchanged, and loads it again when another process replaced it.
 * - `update(change)` is how this store writes: under the cross-process lock it
 *   re-reads the file, applies the change to that fresh data and replaces the
 *   file atomically, so two processes never overwrite each other's records.
 *   Changes queued meanwhile in this process share one lock and one write.
 * - A corrupt file (recognisably ours, and broken) is moved aside to
 *   `<path>.corrupt-<timestamp>` (under the lock, after checking again) and the
 *   operation rejects `ERR_CORRUPT_RECORD`; the next write creates a new file.
 * - A foreign file (not ours: not JSON, JSON without our marker, empty) and a
 *   file of a newer format are refused with `ERR_STORE_UNAVAILABLE` and never
 *   touched, by reads and writes alike.
 */
export class LockedJsonFile {
  readonly #options: LockedJsonFileOptions;
  #snapshot: Snapshot | undefined;
  #queue: PendingChange[] = [];
  #flushing: Promise<void> | undefined;
  #diskReads = 0;

  constructor(options: LockedJsonFileOptions) {
    this.#options = options;
  }

  /** The data last loaded or written, without looking at the file (`undefined` before the first load). */
  get loaded(): FileData | undefined {
    return this.#snapshot?.data;
  }

  /** How many times the file was read from disk (the rest were served from memory). */
  get diskReads(): number {
    return this.#diskReads;
  }

  async read(): Promise<FileData> {
    const signature = await currentSignature(this.#options.path);
    if (this.#snapshot?.signature === signature) return this.#snapshot.data;
    if (signature === MISSING) return this.#remember(MISSING, emptyFileData());
    try {
      const loaded = await this.#load();
      return this.#remember(loaded.signature, loaded.data);
    } catch (error) {
      if (!(error instanceof FileFormatError) || error.kind !== "corrupt") throw this.#translate(error);
      if (this.#options.readOnly) throw this.#corruptLeftAlone(error);
      // Look again under the lock: another process may be mid-recovery, and only one must move the file.
      return this.#withLock(async () => {
        const loaded = await this.#loadOrQuarantine();
        return this.#remember(loaded.signature, loaded.data);
      });
    }
  }

  /**
   * Loads the file into memory ahead of the first read (the store's warm-up).
   * Never rejects and never quarantines: a missing, unreadable or corrupt file
   * is left for the first read to meet and report. A snapshot taken meanwhile
   * by a read or a write is kept (it is at least as fresh).
   */
  async warm(): Promise<void> {
    try {
      const loaded = await this.#load();
      this.#snapshot ??= loaded;
    } catch {
      // Reported by the first real call, which does the same work again.
    }
  }

  /** Applies `change` to the file's fresh content under the lock; rewrites the file when it says so. */
  update<T>(change: (fresh: FileData) => Change<T>): Promise<T> {
    if (this.#options.readOnly) {
      return Promise.reject(
        new SessionStoreError(
          "ERR_UNSUPPORTED",
          `session file ${this.#options.path} was opened read-only (readOnly: true): nothing is written`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ apply: change, resolve: resolve as (result: unknown) => void, reject });
      this.#startFlush();
    });
  }

  #startFlush(): void {
    if (this.#flushing) return;
    this.#flushing = this.#flushQueue().finally(() => {
      this.#flushing = undefined;
      // A change queued between the loop's last check and this callback must not wait forever.
      if (this.#queue.length > 0) this.#startFlush();
    });
  }

  /** Resolves when every queued change was written (or failed). */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flushQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        await this.#commit(batch);
      } catch (error) {
        const failure = this.#translate(error);
        for (const pending of batch) pending.reject(failure);
      }
    }
  }

  async #commit(batch: PendingChange[]): Promise<void> {
    const outcomes = await this.#withLock(async (lock) => {
      // Never the snapshot readers are served: a change that fails to reach the disk must not show.
      const { signature, data: fresh } = await this.#loadOrQuarantine();
      const results = batch.map((pending) => {
        try {
          return { ok: true as const, change: pending.apply(fresh) };
        } catch (error) {
          return { ok: false as const, error };
        }
      });
      if (results.some((outcome) => outcome.ok && outcome.change.changed)) {
        purgeExpired(fresh, this.#options.now());
        await removeLeftovers(this.#options.path, this.#options.lockStaleMs, lock.token);
        await writeFileAtomic(this.#options.path, serializeFileData(fresh), () => lock.verify());
        this.#remember(await currentSignature(this.#options.path), fresh);
      } else {
        this.#remember(signature, fresh);
      }
      return results;
    });
    outcomes.forEach((outcome, index) => {
      const pending = batch[index] as PendingChange;
      if (outcome.ok) pending.resolve(outcome.change.result);
      else pending.reject(outcome.error);
    });
  }

  async #withLock<T>(task: (lock: FileLock) => Promise<T>): Promise<T> {
    const { path, lockStaleMs, lockWaitMs, onWarning } = this.#options;
    // Created on demand, 0700: only our user can list which session files exist.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lock = await acquireFileLock({
      lockPath: `${path}.lock`,
      staleMs: lockStaleMs,
      waitMs: lockWaitMs,
      onCompromised: onWarning,
    });
    try {
      return await task(lock);
    } finally {
      await lock.release();
    }
  }

  /** Reads the file from disk; one consistent version (content and signature from the same open file). */
  async #load(): Promise<Snapshot> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#options.path, "r");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { signature: MISSING, data: emptyFileData() };
      throw error;
    }
    try {
      const signature = signatureOf(await handle.stat({ bigint: true }));
      const text = await handle.readFile("utf8");
      this.#diskReads += 1;
      return { signature, data: parseFileData(text) };
    } finally {
      await handle.close();
    }
  }

  /** Under the lock: loads the file, or moves a corrupt one aside and reports it. */
  async #loadOrQuarantine(): Promise<Snapshot> {
    try {
      return await this.#load();
    } catch (error) {
      if (!(error instanceof FileFormatError) || error.kind !== "corrupt") throw error;
      const movedTo = `${this.#options.path}.corrupt-${quarantineStamp()}`;
      await rename(this.#options.path, movedTo);
      this.#remember(MISSING, emptyFileData());
      throw new SessionStoreError(
        "ERR_CORRUPT_RECORD",
        `session file ${this.#options.path} is corrupt (${error.message}); it was moved to ${movedTo}, and ` +
          "the next write creates a new file",
        { cause: error },
      );
    }
  }

  #corruptLeftAlone(error: FileFormatError): SessionStoreError {
    return new SessionStoreError(
      "ERR_CORRUPT_RECORD",
      `session file ${this.#options.path} is corrupt (${error.message}); opened read-only, it was left where it is`,
      { cause: error },
    );
  }

  #remember(signature: string, data: FileData): FileData {
    this.#snapshot = { signature, data };
    return data;
  }

  #translate(error: unknown): unknown {
    if (error instanceof FileFormatError && error.kind === "foreign") {
      return new SessionStoreError(
        "ERR_STORE_UNAVAILABLE",
        `${this.#options.path} is not a sessionstore file (${error.message}); it was left exactly as it was: ` +
          "give the store another path, or remove the file yourself if it is not needed",
        { cause: error },
      );
    }
    if (error instanceof FileFormatError) {
      return new SessionStoreError(
        "ERR_STORE_UNAVAILABLE",
        `session file ${this.#options.path} cannot be used: ${error.message}`,
        { cause: error },
      );
    }
    return error;
  }
}
