import type { StoreChangeListener } from "@sessionstore/core";
import { createSnapshotWatch } from "@sessionstore/core/adapter";
import type { Database } from "./database.js";
import { envelopeText } from "./envelope.js";

/** What the watcher needs from the store. */
export interface SqliteWatchOptions {
  readonly table: string;
  /** Runs a query on the store's connection (tracked by the store, so close() waits for it). */
  readonly run: <T>(operation: string, body: (db: Database) => Promise<T>) => Promise<T>;
  /** How often `PRAGMA data_version` is read while someone watches, in milliseconds. */
  readonly pollMs: number;
}

/** The store's side of `watch`. */
export interface SqliteWatch {
  watch(listener: StoreChangeListener): () => void;
  /**
   * Runs a write of this instance that leaves `text` (the envelope) at `key`
   * (`undefined`: removes it), so it is not reported back to this instance.
   */
  ownWrite<T>(key: string, text: string | undefined, write: () => Promise<T>): Promise<T>;
  /** Tells what a read of this instance found at `key` (see the kit's `SnapshotWatch.seen`); returns `text`. */
  seen(key: string, text: string | undefined): string | undefined;
  close(): void;
}

/**
 * `watch` for the SQLite store. `PRAGMA data_version` changes when another
 * connection (process, or store instance) commits to the file; it is read
 * every `pollMs` while someone watches, and only then are the records read and
 * compared with the last version seen. Keys whose record differs are reported.
 * This instance's own writes update that version as they land, so they are
 * not reported. No timer runs while nobody watches.
 */
export function createSqliteWatch(options: SqliteWatchOptions): SqliteWatch {
  const { table, run } = options;
  const changes = createSnapshotWatch();
  // Whether the poll has started (it knows a baseline once it ran): compared on every data_version change.
  let baseline = false;
  let version: unknown;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  // Bumped by stop(): a poll chain of an earlier watch session ends instead of running beside a new one.
  let session = 0;

  const readAll = async (): Promise<Map<string, string>> => {
    const rows = await run("watch", (db) => db.query(`SELECT key, value FROM ${table}`));
    const snapshot = new Map<string, string>();
    for (const row of rows as Array<{ key?: unknown; value?: unknown }>) {
      if (typeof row.key === "string") snapshot.set(row.key, envelopeText(row.value));
    }
    return snapshot;
  };

  const poll = async () => {
    // A poll still running when watching stopped must not leave its snapshot as the next session's baseline.
    const mine = session;
    const rows = await run("watch", (db) => db.query("PRAGMA data_version"));
    const current = (rows[0] as { data_version?: unknown } | undefined)?.data_version;
    if (baseline && current === version) return;
    const fresh = await readAll();
    if (mine !== session) return;
    // Only a compared version counts as seen: a read that failed (the database busy) must be
    // retried at the next poll, or the change it was about would never be reported.
    version = current;
    baseline = true;
    changes.compare(fresh);
  };

  const schedule = (mine: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      poll()
        // A failed poll (database busy, store closing) changes nothing: the next one compares again.
        .catch(() => undefined)
        .finally(() => {
          if (active && session === mine) schedule(mine);
        });
    }, options.pollMs);
    timer.unref();
  };

  const stop = () => {
    active = false;
    session += 1;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    baseline = false;
    version = undefined;
    changes.reset();
  };

  return {
    watch(listener) {
      changes.add(listener);
      if (!active) {
        active = true;
        const mine = session;
        // The first poll reads the baseline at once; later ones wait pollMs.
        poll()
          .catch(() => undefined)
          .finally(() => {
            if (active && session === mine) schedule(mine);
          });
      }
      return () => {
        if (changes.remove(listener)) stop();
      };
    },
    ownWrite: (key, text, write) => changes.ownWrite(key, text, write),
    seen: (key, text) => changes.seen(key, text),
    close() {
      changes.clear();
      stop();
    },
  };
}
