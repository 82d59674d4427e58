import type { SessionStore, StoreChangeListener } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { sampleRecord } from "./crud.js";

/** The contract: a change made by another instance reaches the listener within this. */
const WATCH_LATENCY_MS = 1_000;

type WatchingStore = SessionStore & { watch(listener: StoreChangeListener): () => void };

function watchingStore(store: SessionStore): WatchingStore {
  if (typeof store.watch !== "function") throw new Error("capabilities.watch is true but watch() is missing");
  return store as WatchingStore;
}

/** Records every key a listener hears of, and lets a test wait for one. */
function recorder() {
  const heard: string[] = [];
  const waiters = new Set<() => void>();
  const listener: StoreChangeListener = (change) => {
    heard.push(change.key);
    for (const wake of [...waiters]) wake();
  };
  /** Resolves with the milliseconds it took once `key` was heard; rejects after `withinMs`. */
  const until = (key: string, withinMs: number): Promise<number> => {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!heard.includes(key)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(performance.now() - started);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no change reported for "${key}" within ${withinMs} ms (heard: ${heard.join(", ")})`));
      }, withinMs);
      waiters.add(check);
      check();
    });
  };
  return { heard, listener, until };
}

/**
 * Waits until `watch()` is established: a store may need a moment after
 * `watch()` returns (a subscriber connection, a first snapshot) and does not
 * promise to report changes made before that. The peer writes a primer key
 * until the listener hears of it.
 */
async function primed(peer: SessionStore, heard: readonly string[]): Promise<void> {
  const primer = randomKey("watch-primer");
  const deadline = Date.now() + 10_000;
  // Each write differs: a store may take a rewrite of identical bytes for no change.
  for (let round = 0; !heard.includes(primer); round++) {
    if (Date.now() > deadline) throw new Error("watch() never reported the peer's writes within 10 s");
    await peer.set(primer, sampleRecord(`primer-${round}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await peer.delete(primer);
}

/**
 * `watch()`: changes made by another instance over the same backend (another
 * process, in production) reach the listener within a second once the
 * watch is established; the instance's
 * own writes are not reported; unsubscribing stops the reports. Runs when
 * `capabilities.watch`.
 */
export function describeWatch(ctx: SuiteContext): void {
  describe("watch", () => {
    it("reports another instance's set within 1 s, with the key", async () => {
      const store = watchingStore(await ctx.open());
      const peer = await ctx.openPeer(store);
      const { heard, listener, until } = recorder();
      const stop = store.watch(listener);
      try {
        await primed(peer, heard);
        const key = randomKey("watch-set");
        await peer.set(key, sampleRecord("w"));
        await until(key, WATCH_LATENCY_MS);
      } finally {
        stop();
      }
    });

    it("reports another instance's delete within 1 s", async () => {
      const store = watchingStore(await ctx.open());
      const peer = await ctx.openPeer(store);
      const key = randomKey("watch-delete");
      await store.set(key, sampleRecord("d"));
      const { heard, listener, until } = recorder();
      const stop = store.watch(listener);
      try {
        await primed(peer, heard);
        expect(await peer.delete(key)).toBe(true);
        await until(key, WATCH_LATENCY_MS);
        expect(await store.get(key)).toBeUndefined();
      } finally {
        stop();
      }
    });

    it("does not report the instance's own writes", async () => {
      const store = watchingStore(await ctx.open());
      const peer = await ctx.openPeer(store);
      const { heard, listener, until } = recorder();
      const stop = store.watch(listener);
      try {
        await primed(peer, heard);
        const own = randomKey("watch-own");
        await store.set(own, sampleRecord("own"));
        await store.delete(own);
        // The peer writes after the own writes: once its change arrives, any report of theirs would have too.
        const marker = randomKey("watch-marker");
        await peer.set(marker, sampleRecord("m"));
        await until(marker, WATCH_LATENCY_MS);
        expect(heard).not.toContain(own);
      } finally {
        stop();
      }
    });

    it("unsubscribing stops reports to that listener only", async () => {
      const store = watchingStore(await ctx.open());
      const peer = await ctx.openPeer(store);
      const first = recorder();
      const second = recorder();
      const stopFirst = store.watch(first.listener);
      const stopSecond = store.watch(second.listener);
      try {
        await Promise.all([primed(peer, first.heard), primed(peer, second.heard)]);
        const before = randomKey("watch-before");
        await peer.set(before, sampleRecord("b"));
        await Promise.all([first.until(before, WATCH_LATENCY_MS), second.until(before, WATCH_LATENCY_MS)]);
        stopFirst();
        stopFirst(); // harmless twice
        const after = randomKey("watch-after");
        await peer.set(after, sampleRecord("a"));
        await second.until(after, WATCH_LATENCY_MS);
        expect(first.heard).not.toContain(after);
      } finally {
        stopSecond();
      }
    });

    it("watching again after every listener left works", async () => {
      const store = watchingStore(await ctx.open());
      const peer = await ctx.openPeer(store);
      const first = recorder();
      store.watch(first.listener)();
      const again = recorder();
      const stop = store.watch(again.listener);
      try {
        await primed(peer, again.heard);
        const key = randomKey("watch-again");
        await peer.set(key, sampleRecord("g"));
        await again.until(key, WATCH_LATENCY_MS);
        expect(first.heard).not.toContain(key);
      } finally {
        stop();
      }
    });

    it("a store closed while watched stops cleanly", async () => {
      const store = watchingStore(await ctx.open());
      const { listener } = recorder();
      const stop = store.watch(listener);
      await store.close();
      stop();
    });
  });
}
