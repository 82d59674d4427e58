import { canListPages, type PageListingStore, type SessionStore } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { MAX_CALLS, walkPages as walk } from "../support/walk-pages.js";
import { randomKey, type SuiteContext } from "./context.js";
import { sampleRecord } from "./crud.js";
import { call, expectCode } from "./expect-code.js";

function pagingStore(store: SessionStore): PageListingStore {
  if (!canListPages(store)) throw new Error("capabilities.listPage is true but listPage() or list() is missing");
  return store;
}

const sortedUnique = (keys: string[]) => [...new Set(keys)].sort();

/**
 * `listPage(prefix, { cursor, limit })` walks what `list(prefix)` returns, a
 * page per call. Runs when `capabilities.listPage`.
 */
export function describeListPage(ctx: SuiteContext): void {
  describe("listPage", () => {
    it("a walk visits every live key under the prefix, with limits 1, 2 and 1000", async () => {
      const store = pagingStore(await ctx.open());
      const base = randomKey("page");
      const inside = ["a", "b", "b:c", "c", "é", "z", "😀"].map((suffix) => `${base}:${suffix}`);
      for (const key of inside) await call(() => store.set(key, sampleRecord()));
      await call(() => store.set(`${base}-outside`, sampleRecord()));
      await call(() => store.set(`${base}:expired`, sampleRecord(), { expiresAt: Date.now() - 1 }));
      await call(() => store.set(`${base}:deleted`, sampleRecord()));
      await call(() => store.delete(`${base}:deleted`));
      for (const limit of [1, 2, 1000]) {
        const keys = await walk(store, `${base}:`, limit);
        // Once or more: SCAN may give a key twice, never skip one that stayed put.
        expect(sortedUnique(keys)).toEqual([...inside].sort());
      }
    });

    it("writes and deletes during a walk never hide a key that stayed throughout", async () => {
      const store = pagingStore(await ctx.open());
      const base = randomKey("page-moving");
      const stable = Array.from({ length: 9 }, (_, index) => `${base}:s${index}`);
      const doomed = [`${base}:a-gone`, `${base}:t-gone`];
      for (const key of [...stable, ...doomed]) await call(() => store.set(key, sampleRecord()));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let calls = 0; calls < MAX_CALLS; calls += 1) {
        const page = await call(() =>
          store.listPage(`${base}:`, { limit: 2, ...(cursor === undefined ? {} : { cursor }) }),
        );
        seen.push(...page.keys);
        cursor = page.cursor;
        if (cursor === undefined) break;
        // After every page: a key before and after the walk's position comes and goes.
        await call(() => store.set(`${base}:a-new${calls}`, sampleRecord()));
        await call(() => store.set(`${base}:z-new${calls}`, sampleRecord()));
        for (const key of doomed) await call(() => store.delete(key));
      }
      expect(cursor).toBeUndefined();
      for (const key of stable) expect(seen).toContain(key);
      for (const key of seen) expect(key.startsWith(`${base}:`)).toBe(true);
    });

    it("treats pattern characters in the prefix literally", async () => {
      const store = pagingStore(await ctx.open());
      const base = randomKey("page-literal");
      const suffixes = ["%x", "%y", "_x", "*x", "?x", "[a]x", "[x", "ax", "bx"];
      for (const suffix of suffixes) await call(() => store.set(`${base}${suffix}`, sampleRecord()));
      for (const prefix of ["%", "_", "*", "?", "[a]", "["]) {
        const expected = suffixes.filter((suffix) => suffix.startsWith(prefix)).map((suffix) => `${base}${suffix}`);
        expect(sortedUnique(await walk(store, `${base}${prefix}`, 2))).toEqual(expected.sort());
      }
    });

    it("never lists a record whose expiresAt has passed", async () => {
      const store = pagingStore(await ctx.open());
      const base = randomKey("page-expiry");
      const expiresAt = Date.now() + 300;
      await call(() => store.set(`${base}:short`, sampleRecord(), { expiresAt }));
      await call(() => store.set(`${base}:long`, sampleRecord()));
      // Waiting for the clock, not for another task: expiry is a point in time.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
      for (const limit of [1, 1000])
        expect(sortedUnique(await walk(store, `${base}:`, limit))).toEqual([`${base}:long`]);
    });

    it("an unknown prefix walks to an empty end", async () => {
      const store = pagingStore(await ctx.open());
      expect(await walk(store, randomKey("page-none"), 10)).toEqual([]);
    });

    it("refuses a bad limit or cursor with ERR_INVALID_ARGUMENT naming the field", async () => {
      const store = pagingStore(await ctx.open());
      const prefix = randomKey("page-bad");
      const refused = async (options: unknown, field: string) => {
        const run = () => store.listPage(prefix, options as { limit: number });
        await expectCode(run, "ERR_INVALID_ARGUMENT");
        await expect(call(run)).rejects.toMatchObject({ field });
      };
      for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10", undefined, null]) {
        await refused({ limit }, "options.limit");
      }
      await refused(undefined, "options.limit");
      for (const cursor of [5, null, {}, ["x"]]) await refused({ limit: 10, cursor }, "options.cursor");
    });

    it("a closed store rejects with ERR_STORE_CLOSED", async () => {
      const store = pagingStore(await ctx.open());
      await call(() => store.close());
      await expectCode(() => store.listPage(randomKey("page-closed"), { limit: 10 }), "ERR_STORE_CLOSED");
    });

    const { unavailable } = ctx.options;
    if (unavailable) {
      it("an unavailable backend rejects with ERR_STORE_UNAVAILABLE", async () => {
        const store = pagingStore(ctx.track(await unavailable()));
        await expectCode(() => store.listPage(randomKey("page-down"), { limit: 10 }), "ERR_STORE_UNAVAILABLE");
      });
    }
  });
}
