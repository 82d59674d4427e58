import type { StoreChangeListener } from "../store.js";

/** Keys kept for {@link NoticeWatch.listening} at most: a bound on memory (a watcher's first reads are its restores). */
const MAX_EARLY_KEYS = 10_000;

/**
 * `watch` for a backend that pushes a notice per change (Redis pub/sub,
 * PostgreSQL LISTEN/NOTIFY), or whose changes are read from a log from some
 * point on (MySQL's change log). Such a channel keeps nothing for a watcher
 * not yet there: a notice sent before the subscription is confirmed reaches
 * nobody. So keys this instance
 * reads or writes while someone watches but before the store calls
 * {@link NoticeWatch.listening} are its view of them, and are reported once
 * it listens: they may have changed unheard (a client restored its session,
 * then another process refreshed it before the SUBSCRIBE landed). A listener
 * re-reads a reported key, so one that did not change costs a read.
 */
export interface NoticeWatch {
  /** Adds a listener; `true` when it is the first (the store subscribes). */
  add(listener: StoreChangeListener): boolean;
  /** Removes a listener; `true` when it was the last (the store unsubscribes and calls {@link stopped}). */
  remove(listener: StoreChangeListener): boolean;
  /** Whether anyone listens. */
  readonly watching: boolean;
  /** Reports a change to every listener (a throwing listener does not stop the others). */
  report(key: string): void;
  /** Tells that this instance read, wrote or deleted `key` (before the subscription is confirmed, it is kept). */
  seen(key: string): void;
  /** The subscription is confirmed: reports the keys kept since it was asked for. */
  listening(): void;
  /** The subscription is gone (stopped, or lost before a retry): keys used until it is back are kept again. */
  stopped(): void;
  /** Removes every listener and forgets the kept keys. */
  clear(): void;
}

/** Creates the change reporting of a store whose backend pushes notices. */
export function createNoticeWatch(): NoticeWatch {
  const listeners = new Set<StoreChangeListener>();
  const early = new Set<string>();
  let confirmed = false;

  const report = (key: string) => {
    for (const listener of [...listeners]) {
      try {
        listener({ key });
      } catch {
        // A throwing listener must not stop the others, nor the subscription.
      }
    }
  };

  return {
    add(listener) {
      listeners.add(listener);
      return listeners.size === 1;
    },
    remove(listener) {
      if (!listeners.delete(listener) || listeners.size > 0) return false;
      early.clear();
      return true;
    },
    get watching() {
      return listeners.size > 0;
    },
    report,
    seen(key) {
      if (!confirmed && listeners.size > 0 && early.size < MAX_EARLY_KEYS) early.add(key);
    },
    listening() {
      confirmed = true;
      const kept = [...early];
      early.clear();
      for (const key of kept) report(key);
    },
    stopped() {
      confirmed = false;
    },
    clear() {
      listeners.clear();
      early.clear();
      confirmed = false;
    },
  };
}
