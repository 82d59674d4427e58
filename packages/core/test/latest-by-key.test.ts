/**
 * The Node build's `LatestByKey` (the map of in-flight writes per key behind
 * the write queue and read-your-writes) must answer as a `Map` does, and must
 * stay small however many keys come and go.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatestByKey as BrowserLatestByKey } from "../src/internal/latest-by-key.browser.js";
import { LatestByKey } from "../src/internal/latest-by-key.js";

const op = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 90 }), value: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ kind: fc.constant("get" as const), key: fc.integer({ min: 0, max: 90 }) }),
);

describe("LatestByKey", () => {
  it("answers get, delete and size as a Map does, for any sequence of calls", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const map = new Map<string, number>();
        const latest = new LatestByKey<number>();
        for (const step of ops) {
          const key = `k${step.key}`;
          if (step.kind === "set") {
            expect(latest.set(key, step.value)).toBe(latest);
            map.set(key, step.value);
          } else if (step.kind === "delete") expect(latest.delete(key)).toBe(map.delete(key));
          else expect(latest.get(key)).toBe(map.get(key));
          expect(latest.size).toBe(map.size);
        }
      }),
    );
  });

  it("stays small when many keys come and go (ended keys are dropped together)", () => {
    const latest = new LatestByKey<object>();
    const busy = Array.from({ length: 10 }, (_, index) => `busy-${index}`);
    for (const key of busy) latest.set(key, {});
    let most = 0;
    for (let index = 0; index < 10_000; index += 1) {
      const key = `session-${index}`;
      latest.set(key, {});
      latest.delete(key);
      most = Math.max(most, latest.held);
    }
    expect(latest.size).toBe(10);
    // At most 64 kept, or twice the busy keys, before a sweep: never the 10,000 that passed.
    expect(most).toBeLessThanOrEqual(64);
    for (const key of busy) expect(latest.get(key)).toEqual({});
  });

  it("keeps a key that is set and deleted again and again, without dropping the busy ones", () => {
    const latest = new LatestByKey<number>();
    for (let index = 0; index < 200; index += 1) latest.set(`busy-${index}`, index);
    for (let round = 0; round < 1000; round += 1) {
      latest.set("hot", round);
      expect(latest.get("hot")).toBe(round);
      latest.delete("hot");
      expect(latest.get("hot")).toBeUndefined();
    }
    expect([latest.size, latest.held]).toEqual([200, 201]);
    expect(latest.get("busy-199")).toBe(199);
  });

  it("is Map itself in the browser build", () => {
    expect(BrowserLatestByKey).toBe(Map);
  });
});
