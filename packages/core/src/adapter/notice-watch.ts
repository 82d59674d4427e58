import type { StoreChangeListener } from "../store.js";

/** Keys kept for {@link NoticeWatch.listening} at most: a bound on memory (the oldest kept key makes room). */
const MAX_KEPT_KEYS = 10_000;

/**
 * `watch` for a backend that pushes a notice per change (Redis pub/sub,
 * PostgreSQL LISTEN/NOTIFY), or whose changes are read from a log from some
 * point on (MySQL's change log). Such a channel keeps nothing for a watcher
 * not there: a notice sent before the subscription is confirmed, or while a
 * confirmed one is being re-established after its connection dropped, reaches
 * nobody. So the keys this instance reads, writes or deletes while someone
 * watches are kept (its view of them: a client restored its session and holds
 * it), and every one is reported each time the subscription is confirmed: they
 * may have changed unheard (another process refreshed or logged out before the
 * SUBSCRIBE landed, or during a network blip). A listener re-reads a reported
 * key, so one that did not change costs a read.
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
  /** Tells that this instance read, wrote or deleted `key`: kept while someone watches, for {@link listening}. */
  seen(key: string): void;
  /**
   * The subscription is confirmed, the first time or again after it was lost
   * ({@link stopped}): reports every kept key. A second call without a loss between reports nothing.
   */
  listening(): void;
  /** The subscription is gone (stopped, or its connection dropped): notices are missed until it listens again. */
  stopped(): void;
  /** Removes every listener and forgets the kept keys. */
  clear(): void;
}

/** Creates the change reporting of a store whose backend pushes notices. */
export function createNoticeWatch(): NoticeWatch {
  const listeners = new Set<StoreChangeListener>();
  // In first-use order: when full, the key used first makes room (a busy server's recent keys are the ones held).
  const kept = new Set<string>();
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
      kept.clear();
      return true;
    },
    get watching() {
      return listeners.size > 0;
    },
    report,
    seen(key) {
      if (listeners.size === 0 || kept.has(key)) return;
      if (kept.size >= MAX_KEPT_KEYS) kept.delete(kept.values().next().value as string);
      kept.add(key);
    },
    listening() {
      if (confirmed) return;
      confirmed = true;
      for (const key of [...kept]) report(key);
    },
    stopped() {
      confirmed = false;
    },
    clear() {
      listeners.clear();
      kept.clear();
      confirmed = false;
    },
  };
}
