import type { StoreChangeListener } from "@sessionstore/core";
import { createNoticeWatch } from "@sessionstore/core/adapter";

/** What the polling side needs from the store. */
export interface PollerOptions {
  /** The newest `count` rows of the change log, newest first. */
  recent(count: number): Promise<ChangeRow[]>;
  /** Change-log rows after `seq`, oldest first. */
  since(seq: number): Promise<ChangeRow[]>;
  /** This store instance's id: changes it made itself are not reported. */
  readonly origin: string;
  /** Delay between two reads, in milliseconds. */
  readonly pollMs: number;
}

/** One row of the change log. */
export interface ChangeRow {
  readonly seq: number;
  readonly key: string;
  readonly origin: string;
  /** When the writer logged it, epoch ms on the writer's clock. */
  readonly at: number;
}

/** The change-log reader, polling only while at least one listener is subscribed. */
export interface Poller {
  add(listener: StoreChangeListener): () => void;
  /** This instance read, wrote or deleted `key`: reported once the first read of the log is in if it is not yet (see `createNoticeWatch`). */
  seen(key: string): void;
  /** Stops polling and forgets every listener. */
  close(): void;
}

// Sequence numbers are handed out when a row is inserted, but rows become
// visible when their transaction commits, which may be out of order: each read
// looks this many numbers back and skips the ones it already reported.
const LOOK_BACK = 100;

/** Creates the poller of one store. */
export function createPoller(options: PollerOptions): Poller {
  const changes = createNoticeWatch();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bumped on every stop: a read that finishes after it reports nothing and schedules nothing.
  let generation = 0;
  let highest: number | undefined;
  let watchedSince = 0;
  const seen = new Set<number>();

  const report = (row: ChangeRow) => {
    seen.add(row.seq);
    if (row.origin !== options.origin) changes.report(row.key);
  };

  const poll = async (forGeneration: number) => {
    try {
      if (highest === undefined) {
        // The starting point. A change logged since watch() was called is
        // reported even if it landed before this first read; older ones are history.
        const recent = await options.recent(LOOK_BACK);
        if (forGeneration !== generation) return;
        for (const row of [...recent].reverse()) {
          if (row.at >= watchedSince) report(row);
          else seen.add(row.seq);
        }
        highest = recent[0]?.seq ?? 0;
        // The log is read: from here on every change is in it. A key this instance used before is
        // reported as well, for a row whose writer's clock lags ours (it would pass for history).
        changes.listening();
      } else {
        const rows = await options.since(Math.max(0, highest - LOOK_BACK));
        if (forGeneration !== generation) return;
        for (const row of rows) {
          if (seen.has(row.seq)) continue;
          highest = Math.max(highest, row.seq);
          report(row);
        }
        const floor = highest - LOOK_BACK;
        for (const seq of seen) if (seq <= floor) seen.delete(seq);
      }
    } catch {
      // An outage: the next read tries again, and reports what was logged meanwhile.
    }
    if (forGeneration !== generation || !changes.watching) return;
    timer = setTimeout(() => void poll(forGeneration), options.pollMs);
  };

  const stop = () => {
    generation += 1;
    if (timer) clearTimeout(timer);
    timer = undefined;
    highest = undefined;
    seen.clear();
    changes.stopped();
  };

  return {
    add(listener) {
      // A wrapper per subscription: the same function subscribed twice is two subscriptions.
      const subscription: StoreChangeListener = (change) => listener(change);
      if (changes.add(subscription)) {
        watchedSince = Date.now();
        void poll(generation);
      }
      return () => {
        if (changes.remove(subscription)) stop();
      };
    },
    seen: changes.seen,
    close() {
      changes.clear();
      stop();
    },
  };
}
