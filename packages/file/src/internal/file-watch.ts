import { type FSWatcher, watch as watchDirectory } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { StoreChangeListener } from "@sessionstore/core";
import { createSnapshotWatch } from "@sessionstore/core/adapter";
import { emptyFileData, type FileData, parseFileData, type RecordEntry } from "./file-data.js";
import { errorCode } from "./fs-errors.js";

/** What the watcher needs from the store. */
export interface FileWatchOptions {
  readonly path: string;

  /** Poll the file's stat at this interval instead of using fs.watch; `undefined`: fs.watch. */
  readonly pollMs: number | undefined;
}

/** The store's side of `watch`. */
export interface FileWatch {
  watch(listener: StoreChangeListener): () => void;
  /**
   * Runs a write of this instance that leaves `entry` at `key` (`undefined`:
   * removes it), so it is not reported back to this instance.
   */
  ownWrite<T>(key: string, entry: RecordEntry | undefined, write: () => Promise<T>): Promise<T>;
  /** Tells what a read of this instance found at `key` (see the kit's `SnapshotWatch.seen`). */
  seen(key: string, entry: RecordEntry | undefined): void;
  close(): void;
}

// Used when fs.watch is unavailable (some network and virtual filesystems).
const FALLBACK_POLL_MS = 250;

function fingerprintOf(entry: RecordEntry | undefined): string | undefined {
  if (entry === undefined) return undefined;
  return entry.kind === "record" ? `r${entry.expiresAt ?? ""}:${entry.text}` : `c${JSON.stringify(entry.raw)}`;
}

function snapshotOf(data: FileData): Map<string, string> {
  const snapshot = new Map<string, string>();
  for (const [key, entry] of data.records) snapshot.set(key, fingerprintOf(entry) as string);
  return snapshot;
}

/**
 * `watch` for the file store: fs.watch on the file's directory (the file is
 * replaced by rename, so watching the file itself would lose it after the
 * first write), or a stat poll where fs.watch fails. On a change the file is
 * read and compared with the last version seen; keys whose entry differs are
 * reported. This instance's own writes update that version as they land, so
 * they are not reported. Nothing runs while nobody watches.
 */
export function createFileWatch(options: FileWatchOptions): FileWatch {
  const changes = createSnapshotWatch();
  let watcher: FSWatcher | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let lastStat = "";
  let checking = false;
  let again = false;

  // Read here without side effects: the store's own read moves a corrupt file
  // aside and reports that once, to its caller — the watcher must not take that report.
  const read = async (): Promise<FileData> => {
    try {
      return parseFileData(await readFile(options.path, "utf8"));
    } catch (error) {
      if (errorCode(error) === "ENOENT") return emptyFileData();
      throw error;
    }
  };

  const compare = async () => {
    const data = await read();
    if (changes.watching) changes.compare(snapshotOf(data));
  };

  const check = () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    compare()
      // An unreadable file (mid-outage, corrupt) is reported by the store's own calls; the next change retries.
      .catch(() => undefined)
      .finally(() => {
        checking = false;
        if (again && changes.watching) {
          again = false;
          check();
        }
      });
  };

  const startPolling = (everyMs: number) => {
    poll = setInterval(() => {
      stat(options.path, { bigint: true }).then(
        (info) => {
          const signature = `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
          if (signature !== lastStat) {
            lastStat = signature;
            check();
          }
        },
        () => {
          if (lastStat !== "missing") {
            lastStat = "missing";
            check();
          }
        },
      );
    }, everyMs);
    poll.unref();
  };

  const start = () => {
    check(); // the first read is the baseline
    if (options.pollMs !== undefined) return startPolling(options.pollMs);
    const name = basename(options.path);
    try {
      watcher = watchDirectory(dirname(options.path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) check();
      });
      watcher.on("error", () => {
        watcher?.close();
        watcher = undefined;
        if (changes.watching && poll === undefined) startPolling(FALLBACK_POLL_MS);
      });
    } catch {
      startPolling(FALLBACK_POLL_MS);
    }
  };

  const stop = () => {
    watcher?.close();
    watcher = undefined;
    if (poll !== undefined) clearInterval(poll);
    poll = undefined;
    changes.reset();
    lastStat = "";
  };

  return {
    watch(listener) {
      if (changes.add(listener)) start();
      return () => {
        if (changes.remove(listener)) stop();
      };
    },
    ownWrite: (key, entry, write) => changes.ownWrite(key, fingerprintOf(entry), write),
    seen: (key, entry) => {
      changes.seen(key, fingerprintOf(entry));
    },
    close() {
      changes.clear();
      stop();
    },
  };
}
