import type { StoreChangeListener } from "../store.js";

/**
 * `watch` for a backend that cannot say what changed, only that something may
 * have (a file's directory event, SQLite's `data_version`): the store reads a
 * snapshot of every key (key → a fingerprint of its entry) and hands it to
 * {@link SnapshotWatch.compare}, which reports the keys whose fingerprint
 * differs from the last snapshot's. Writes of this instance run through
 * {@link SnapshotWatch.ownWrite}, so they are never reported back to it.
 */
export interface SnapshotWatch {
  /** Adds a listener; `true` when it is the first (the store starts watching its backend). */
  add(listener: StoreChangeListener): boolean;
  /** Removes a listener; `true` when it was the last (the store stops, and calls {@link reset}). */
  remove(listener: StoreChangeListener): boolean;
  /** Whether anyone listens. */
  readonly watching: boolean;
  /**
   * Compares `fresh` with the last snapshot and reports every key added,
   * changed or removed since, except those an own write in flight explains.
   * The first snapshot after {@link reset} is the baseline: nothing is reported.
   * Keeps `fresh` as the last snapshot (the caller must not change it).
   */
  compare(fresh: Map<string, string>): void;
  /**
   * Runs a write of this instance that leaves `fingerprint` at `key`
   * (`undefined`: removes it). While it runs, a snapshot showing exactly that
   * is not a change; once it lands, the last snapshot holds it.
   */
  ownWrite<T>(key: string, fingerprint: string | undefined, write: () => Promise<T>): Promise<T>;
  /**
   * Tells what a read of this instance found at `key` (`undefined`: nothing),
   * and returns `fingerprint`. Until the first snapshot (the baseline) is in,
   * such reads are the instance's view: a baseline differing from one reports
   * that key, since the change landed between that read and the baseline
   * (a client that restored its session, then the first poll came late).
   */
  seen<T extends string | undefined>(key: string, fingerprint: T): T;
  /** Forgets the last snapshot and the writes in flight (watching stopped). */
  reset(): void;
  /** Removes every listener and resets. */
  clear(): void;
}

/** Creates the change reporting of a store that watches by comparing snapshots. */
export function createSnapshotWatch(): SnapshotWatch {
  const listeners = new Set<StoreChangeListener>();
  // Own writes under way: the backend may change (and be compared) before the write's promise settles.
  const pending = new Map<string, string | undefined>();
  let known: Map<string, string> | undefined;
  // Reads made while watching but before the baseline: what this instance believes is there.
  const early = new Map<string, string | undefined>();

  const report = (key: string) => {
    for (const listener of [...listeners]) {
      try {
        listener({ key });
      } catch {
        // A throwing listener must not stop the others.
      }
    }
  };

  const reset = () => {
    known = undefined;
    pending.clear();
    early.clear();
  };

  return {
    add(listener) {
      listeners.add(listener);
      return listeners.size === 1;
    },
    remove(listener) {
      return listeners.delete(listener) && listeners.size === 0;
    },
    get watching() {
      return listeners.size > 0;
    },
    compare(fresh) {
      const previous = known;
      known = fresh;
      const explained = (key: string, value: string | undefined) => pending.has(key) && pending.get(key) === value;
      if (previous === undefined) {
        for (const [key, value] of early) if (fresh.get(key) !== value && !explained(key, fresh.get(key))) report(key);
        early.clear();
        return;
      }
      const changed = (key: string, value: string | undefined) => previous.get(key) !== value && !explained(key, value);
      for (const [key, value] of fresh) if (changed(key, value)) report(key);
      for (const key of previous.keys()) if (!fresh.has(key) && changed(key, undefined)) report(key);
    },
    async ownWrite(key, fingerprint, write) {
      if (listeners.size === 0) return write();
      pending.set(key, fingerprint);
      try {
        const result = await write();
        if (fingerprint === undefined) known?.delete(key);
        else known?.set(key, fingerprint);
        return result;
      } finally {
        pending.delete(key);
      }
    },
    seen(key, fingerprint) {
      if (listeners.size > 0 && known === undefined) early.set(key, fingerprint);
      return fingerprint;
    },
    reset,
    clear() {
      listeners.clear();
      reset();
    },
  };
}
