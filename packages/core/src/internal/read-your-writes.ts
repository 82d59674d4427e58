import { LatestByKey } from "#internal/latest-by-key";
import type { StoredSession } from "../session-record.js";
import type { Emitter } from "./emitter.js";

/** What a write of a key left there (`session` undefined after a delete); `undefined` when the write failed. */
type Written = { readonly session: StoredSession | undefined } | undefined;

/**
 * Writes of record keys, announced by key as they are issued, to the reads of
 * that key in flight. Shared by every `forSubject` manager of one root.
 */
export type WriteAnnouncer = Emitter<Record<string, Promise<Written>>>;

// The newest write of each key still in flight, by announcer: a read issued while
// one is unfinished answers with it too (the store may not have it yet).
const unfinished = new WeakMap<WriteAnnouncer, LatestByKey<Promise<Written>>>();

function unfinishedOf(announcer: WriteAnnouncer): LatestByKey<Promise<Written>> {
  let writes = unfinished.get(announcer);
  if (!writes) {
    writes = new LatestByKey();
    unfinished.set(announcer, writes);
  }
  return writes;
}

/** Tells the reads of `key` in flight, and those issued before it ends, about a write issued now; returns `write` unchanged. */
export function announceWrite<T>(announcer: WriteAnnouncer, key: string, write: Promise<T>, session?: StoredSession) {
  const writes = unfinishedOf(announcer);
  // A write that fails changed nothing: the key then holds what the write before it left, if that one is unfinished too.
  const before = writes.get(key);
  const written = write.then(
    (): Written => ({ session }),
    () => before,
  );
  writes.set(key, written);
  void written.then(() => {
    if (writes.get(key) === written) writes.delete(key);
  });
  announcer.emit(key, written);
  return write;
}

/**
 * Runs `readStore` for `key`, and answers with the last write of `key` issued
 * before the read ended (still unfinished when the read began, or issued
 * meanwhile) that succeeded, if any; else with the store's own answer (a failed
 * write changed nothing). A read issued after an unfinished write waits for it:
 * `set(pair)` then `get()` without waiting reads the pair, and after an
 * unfinished logout reads nothing. Without it, a store that opens lazily (a first read
 * that takes 30 ms) answers a caller's read with "no session" after that same
 * caller wrote one: podio-js reads in its constructor without waiting, signs
 * in, writes, and then takes the late, stale answer as the truth.
 */
export async function readYourWrites(
  announcer: WriteAnnouncer,
  key: string,
  readStore: () => Promise<StoredSession | undefined>,
  awaitUnfinished = true,
): Promise<StoredSession | undefined> {
  // `awaitUnfinished` is false for a read by this process's holder of the session lock (a refresh,
  // a logout): a removal or write queued behind that lock cannot finish before the holder does.
  // What the writes issued so far left: the last one that succeeded decides, so a write that
  // fails falls back to the one announced before it (its store read may predate that one).
  let announced = awaitUnfinished ? unfinished.get(announcer)?.get(key) : undefined;
  const stop = announcer.on(key, (write) => {
    const before = announced;
    announced = before ? write.then((written) => written ?? before) : write;
  });
  try {
    let value: StoredSession | undefined;
    let failure: { error: unknown } | undefined;
    try {
      value = await readStore();
    } catch (error) {
      failure = { error };
    }
    // One issued while we wait for another counts too.
    let written: Written;
    for (let next = announced; next !== undefined; next = announced === next ? undefined : announced) {
      written = await next;
    }
    // A copy: a reader changing what it got cannot change what the writer holds.
    if (written) return written.session && structuredClone(written.session);
    if (failure) throw failure.error;
    return value;
  } finally {
    stop();
  }
}
