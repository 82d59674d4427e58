import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { call } from "./expect-code.js";

/** One process, many callers: nothing lost, nothing torn. */
export function describeConcurrency(ctx: SuiteContext): void {
  describe("concurrency", () => {
    it("100 parallel sets of distinct keys all land", async () => {
      const store = await ctx.open();
      const base = randomKey("parallel");
      const keys = Array.from({ length: 100 }, (_, index) => `${base}:${index}`);
      await Promise.all(keys.map((key, index) => call(() => store.set(key, { v: 1, index }))));
      const read = await Promise.all(keys.map((key) => call(() => store.get(key))));
      expect(read).toEqual(keys.map((_, index) => ({ v: 1, index })));
    });

    it("100 parallel sets of one key leave exactly one of the written records", async () => {
      const store = await ctx.open();
      const key = randomKey("same");
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => call(() => store.set(key, { v: 1, index, pad: "p".repeat(index) }))),
      );
      const final = await call(() => store.get(key));
      expect(final).toBeDefined();
      const index = final?.index as number;
      expect(final).toEqual({ v: 1, index, pad: "p".repeat(index) });
    });

    it("readers racing a writer see the old or the new record, never nothing", async () => {
      const store = await ctx.open();
      const key = randomKey("race");
      await call(() => store.set(key, { v: 1, generation: 0 }));
      const writes = Array.from({ length: 20 }, (_, generation) =>
        call(() => store.set(key, { v: 1, generation: generation + 1 })),
      );
      const reads = Array.from({ length: 40 }, () => call(() => store.get(key)));
      const [, seen] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
      for (const record of seen) expect(record).toMatchObject({ v: 1, generation: expect.any(Number) });
    });
  });
}
