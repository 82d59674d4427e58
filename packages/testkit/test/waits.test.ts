import type { StoreChangeListener } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { collectChanges, untilWatching } from "../src/support/waits.js";

/**
 * A watch that, like LISTEN or SUBSCRIBE, hears only writes made after its
 * subscription went live (`liveAfterMs` after watch() was called), and reports
 * each after `delayMs`, in write order.
 */
function lateWatch(liveAfterMs: number, delayMs: number) {
  const listeners = new Set<StoreChangeListener>();
  let liveAt = Number.POSITIVE_INFINITY;
  const writes: string[] = [];
  return {
    writes,
    watch(listener: StoreChangeListener) {
      listeners.add(listener);
      liveAt = Date.now() + liveAfterMs;
      return () => listeners.delete(listener);
    },
    async set(key: string) {
      writes.push(key);
      if (Date.now() < liveAt) return;
      setTimeout(() => {
        for (const listener of listeners) listener({ key });
      }, delayMs);
    },
  };
}

describe("untilWatching", () => {
  it("writes the primer again until the watch, live only later, hears one; then nothing of it is left to arrive", async () => {
    const store = lateWatch(1_500, 50);
    const seen = collectChanges(store);
    await untilWatching(seen, store, 10_000);
    const primers = store.writes.filter((key) => key.includes(":watching-"));
    // The first write was made before the watch was live, and lost.
    expect(primers.length).toBeGreaterThan(1);
    expect(store.writes.filter((key) => key.includes(":watched-"))).toHaveLength(1);
    expect(seen.keys).toEqual([]);
    // Reports still on their way would land here.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.keys).toEqual([]);
    seen.stop();
  });

  it("fails naming the primer when the watch never hears anything", async () => {
    const store = lateWatch(60_000, 0);
    const seen = collectChanges(store);
    await expect(untilWatching(seen, store, 1_500)).rejects.toThrow(
      /heard none of \d+ writes of "sessionstore:watching-/,
    );
    seen.stop();
  });
});
