/**
 * The change notices of one store's writes, sent so that concurrent writers
 * still commit together.
 *
 * A transaction that NOTIFYs takes a cluster-wide lock at commit and holds it
 * through its WAL flush, so writes that each NOTIFY commit one after another,
 * where plain upserts share a flush (group commit): 50 concurrent writes
 * measured ~0.35× the throughput of the same upserts without NOTIFY. So a
 * write alone keeps the single statement (upsert + NOTIFY, one round trip),
 * while a write that overlaps others commits without NOTIFY and hands its
 * notice here; the notices gathered meanwhile go out in one transaction (one
 * commit, one turn of the lock, still one notification each, in the format
 * every version parses).
 *
 * Guarantees kept: a notice is sent only after its write committed (a
 * watcher that re-reads on it sees the write); a write resolves only after
 * its notice was sent (a process that exits right after `await set()` loses
 * nothing); a write that failed sends no notice and costs the others nothing.
 */
export interface ChangeNotices {
  /**
   * Runs one write. With no other write of this store in flight, `alone()`
   * (the write with its NOTIFY in one statement). Otherwise `quiet()`, the
   * write without NOTIFY, whose `notice` (if any: a delete that found no row
   * has none) joins the batch being gathered, sent once every quiet write that
   * had started when the batch began has finished (so a burst shares one
   * NOTIFY commit); resolves once that batch was sent, and rejects if it could
   * not be.
   */
  write<T>(alone: () => Promise<T>, quiet: () => Promise<{ result: T; notice?: string | undefined }>): Promise<T>;
}

interface Waiting {
  readonly notice: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Most notices per NOTIFY statement: each is a notification of its own (under
 * PostgreSQL's 8000-byte payload limit: a key is at most 1024 characters), and
 * a bounded batch keeps one statement's parameters small.
 */
export const MAX_NOTICES_PER_BATCH = 256;

/**
 * `send(notices)` NOTIFYs them in one transaction. It and every `quiet()` must
 * settle (bounded by the caller): a batch waits for the quiet writes that
 * overlapped it.
 */
export function createChangeNotices(send: (notices: string[]) => Promise<unknown>): ChangeNotices {
  let writing = 0;
  // Quiet writes in flight by start number; a Set keeps start order, so its first is the oldest.
  let started = 0;
  const running = new Set<number>();
  const queued: Waiting[] = [];
  // The batch being gathered waits for the quiet writes started up to here: writes that
  // overlapped share one NOTIFY commit, and later ones (the next batch) cannot hold it up.
  let barrier = 0;
  let sending = false;

  const flush = async () => {
    const batch = queued.splice(0, MAX_NOTICES_PER_BATCH);
    try {
      await send(batch.map((waiting) => waiting.notice));
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
    sending = false;
    flushWhenReady();
  };

  // One batch in flight at a time: NOTIFY commits take turns anyway, and what
  // arrives meanwhile rides the next batch instead of queueing on the lock.
  function flushWhenReady() {
    if (sending || queued.length === 0) return;
    const oldest = running.values().next();
    if (!oldest.done && oldest.value <= barrier) return;
    sending = true;
    void flush();
  }

  const announce = (notice: string) =>
    new Promise<void>((resolve, reject) => {
      if (queued.length === 0) barrier = started;
      queued.push({ notice, resolve, reject });
    });

  return {
    async write<T>(
      alone: () => Promise<T>,
      quiet: () => Promise<{ result: T; notice?: string | undefined }>,
    ): Promise<T> {
      if (writing === 0) {
        writing += 1;
        try {
          return await alone();
        } finally {
          writing -= 1;
        }
      }
      writing += 1;
      started += 1;
      const id = started;
      running.add(id);
      let noticed: Promise<void> | undefined;
      try {
        const outcome = await quiet();
        if (outcome.notice !== undefined) noticed = announce(outcome.notice);
        return outcome.result;
      } finally {
        writing -= 1;
        running.delete(id);
        // A failed write sends nothing, but may be the last one its batch waited for.
        flushWhenReady();
        if (noticed) await noticed;
      }
    },
  };
}
