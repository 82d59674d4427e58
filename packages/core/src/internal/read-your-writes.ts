import type { StoredSession } from "../session-record.js";

/** How a write of one key ended: what it left there (`undefined` after a delete), or that it failed. */
export type WriteOutcome = { readonly ok: true; readonly session: StoredSession | undefined } | { readonly ok: false };

/** A read of one key in flight: set when a write of that key is issued before the read answers. */
export interface PendingRead {
  overtakenBy: Promise<WriteOutcome> | undefined;
}

/**
 * Per-key bookkeeping that lets a read answer with a write issued while it was
 * in flight. A store that opens lazily (a first read that takes 30 ms) would
 * otherwise answer a caller's read with "no session" after that same caller
 * wrote one: podio-js reads in its constructor without waiting, signs in,
 * writes, and then takes the late, stale answer as the truth.
 *
 * - A read registers when it starts; a write marks every registered read of
 *   its key as overtaken by it (the last write issued wins).
 * - A read that starts while a write of its key is still in flight is overtaken
 *   by that write from the start (the store may not show it yet).
 * Nothing is kept for a key once its reads and writes have settled.
 */
export interface ReadYourWrites {
  /** Registers a read of `key`; call {@link ReadYourWrites.finish} when it has answered. */
  start(key: string): PendingRead;
  finish(key: string, read: PendingRead): void;
  /**
   * Records a write of `key` issued now, and returns it unchanged.
   * @param left what the key holds once `write` succeeded (`undefined` after a delete).
   */
  issue<T>(key: string, write: Promise<T>, left: (result: T) => StoredSession | undefined): Promise<T>;
  /** Keys with reads or writes being tracked (for leak checks in tests). */
  readonly size: number;
}

export function createReadYourWrites(): ReadYourWrites {
  const reads = new Map<string, Set<PendingRead>>();
  const writes = new Map<string, Promise<WriteOutcome>>();
  return {
    get size() {
      return new Set([...reads.keys(), ...writes.keys()]).size;
    },
    start(key) {
      const read: PendingRead = { overtakenBy: writes.get(key) };
      let pending = reads.get(key);
      if (!pending) {
        pending = new Set();
        reads.set(key, pending);
      }
      pending.add(read);
      return read;
    },
    finish(key, read) {
      const pending = reads.get(key);
      if (!pending?.delete(read)) return;
      if (pending.size === 0) reads.delete(key);
    },
    issue(key, write, left) {
      const outcome = write.then(
        (result): WriteOutcome => ({ ok: true, session: left(result) }),
        (): WriteOutcome => ({ ok: false }),
      );
      for (const read of reads.get(key) ?? []) read.overtakenBy = outcome;
      writes.set(key, outcome);
      void outcome.then(() => {
        if (writes.get(key) === outcome) writes.delete(key);
      });
      return write;
    },
  };
}

/**
 * Runs `readStore` for `key` and answers with the latest write issued while it
 * was in flight, if any: the write's session when it succeeded, else a fresh
 * read (what the store holds after the failed write). A store failure is
 * overridden only by a write that succeeded.
 */
export async function readYourWrites(
  tracker: ReadYourWrites,
  key: string,
  readStore: () => Promise<StoredSession | undefined>,
): Promise<StoredSession | undefined> {
  const read = tracker.start(key);
  try {
    for (;;) {
      let answer: { value: StoredSession | undefined } | { error: unknown };
      try {
        answer = { value: await readStore() };
      } catch (error) {
        answer = { error };
      }
      // A write may be issued while we wait for another: the last one decides.
      let outcome: WriteOutcome | undefined;
      while (read.overtakenBy) {
        const overtaking = read.overtakenBy;
        read.overtakenBy = undefined;
        outcome = await overtaking;
      }
      if (outcome === undefined) {
        if ("error" in answer) throw answer.error;
        return answer.value;
      }
      if (outcome.ok) return outcome.session === undefined ? undefined : structuredClone(outcome.session);
      // The write failed: the store holds whatever it holds now; read it again.
    }
  } finally {
    tracker.finish(key, read);
  }
}
