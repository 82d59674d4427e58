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
 */
export async function untilWatching(
  seen: CollectedChanges,
  peer: { set(key: string, record: { [key: string]: string }): Promise<unknown> },
  ms = 10_000,
): Promise<void> {
  const key = `sessionstore:watching-${globalThis.crypto.randomUUID()}:password`;
  const heard = seen.arrival(key, ms);
  await peer.set(key, { primer: "1" });
  await heard;
  seen.keys.length = 0;
}
