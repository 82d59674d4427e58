import type { StoreChangeListener } from "@sessionstore/core";

/** Waits until `check` is true, polling every 25 ms, failing after `ms` with `what` in the message. */
export async function waitUntil(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What {@link collectChanges} gives: every key reported, and a wait for one. */
export interface CollectedChanges {
  readonly keys: string[];
  /** Stops watching. */
  stop(): void;
  /** Resolves with the time `key` was reported (from now on); rejects after `ms`. */
  arrival(key: string, ms: number): Promise<number>;
}

/** Collects the keys a store's `watch` reports, and resolves a promise when `key` arrives. */
export function collectChanges(store: { watch(listener: StoreChangeListener): () => void }): CollectedChanges {
  const keys: string[] = [];
  const waiters = new Map<string, () => void>();
  const stop = store.watch(({ key }) => {
    keys.push(key);
    waiters.get(key)?.();
  });
  const arrival = (key: string, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no change for "${key}" within ${ms} ms`)), ms);
      waiters.set(key, () => {
        clearTimeout(timer);
        resolve(Date.now());
      });
    });
  return { keys, stop, arrival };
}

/**
 * Resolves once the watch behind `seen` hears a write `peer` makes: its
 * subscription is established from the store's own point of view (a server
 * listing the subscriber can be ahead of it). What was heard until then is
 * cleared: keys the store used before that may be reported, changed or not.
 *
 * A write made before the subscription is live is never reported (LISTEN and
 * SUBSCRIBE hear only what comes after them), so the primer is written again,
 * once a second, until one is heard. Then one last write of another key is
 * awaited: reports arrive in write order, so no report of an earlier primer
 * can still be on its way when the heard keys are cleared.
 */
export async function untilWatching(
  seen: CollectedChanges,
  peer: { set(key: string, record: { [key: string]: string }): Promise<unknown> },
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  const id = globalThis.crypto.randomUUID();
  const primer = `sessionstore:watching-${id}:password`;
  for (let attempt = 1; ; attempt += 1) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the watch heard none of ${attempt - 1} writes of "${primer}" within ${ms} ms`);
    const heard = seen.arrival(primer, Math.min(left, 1_000));
    await peer.set(primer, { primer: String(attempt) });
    const live = await heard.then(
      () => true,
      () => false,
    );
    if (live) break;
  }
  const barrier = `sessionstore:watched-${id}:password`;
  const last = seen.arrival(barrier, Math.max(1, deadline - Date.now()));
  await peer.set(barrier, { barrier: "1" });
  await last;
  seen.keys.length = 0;
}
