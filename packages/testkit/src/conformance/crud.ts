import type { JsonObject } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import type { SuiteContext } from "./context.js";
import { randomKey } from "./context.js";
import { call, expectCode } from "./expect-code.js";

/** A record shaped like what SessionManager writes, with values JSON must carry faithfully. */
export function sampleRecord(label = "a"): JsonObject {
  return {
    v: 1,
    auth: { accessToken: `at-${label}`, refreshToken: `rt-${label}`, expiresIn: 3600, scope: "global", ref: null },
    updatedAt: 1_700_000_000_000,
    nested: { list: [1, "two", true, null, { deep: "é ✓ 🔑" }], zero: 0, negative: -1.5, empty: "" },
  };
}

/** Get, set, delete, round trip and close. */
export function describeCrud(ctx: SuiteContext): void {
  describe("crud", () => {
    it("get of a missing key is undefined, not an error", async () => {
      const store = await ctx.open();
      expect(await call(() => store.get(randomKey()))).toBeUndefined();
    });

    it("set then get returns a deep-equal record", async () => {
      const store = await ctx.open();
      const key = randomKey();
      const record = sampleRecord();
      await call(() => store.set(key, record));
      expect(await call(() => store.get(key))).toEqual(record);
    });

    it("returns copies: mutating the written or the read record changes nothing stored", async () => {
      const store = await ctx.open();
      const key = randomKey();
      const record = sampleRecord();
      await call(() => store.set(key, record));
      (record.auth as JsonObject).accessToken = "changed-after-set";
      const first = await call(() => store.get(key));
      expect(first?.auth).toMatchObject({ accessToken: "at-a" });
      (first?.auth as JsonObject).accessToken = "changed-after-get";
      expect((await call(() => store.get(key)))?.auth).toMatchObject({ accessToken: "at-a" });
    });

    it("set replaces the whole record", async () => {
      const store = await ctx.open();
      const key = randomKey();
      await call(() => store.set(key, sampleRecord("old")));
      await call(() => store.set(key, { v: 1, only: "new" }));
      expect(await call(() => store.get(key))).toEqual({ v: 1, only: "new" });
    });

    it("delete removes the record and says whether there was one", async () => {
      const store = await ctx.open();
      const key = randomKey();
      await call(() => store.set(key, sampleRecord()));
      expect(await call(() => store.delete(key))).toBe(true);
      expect(await call(() => store.get(key))).toBeUndefined();
      expect(await call(() => store.delete(key))).toBe(false);
    });

    it("keeps a large record (64 KiB of token) intact", async () => {
      const store = await ctx.open();
      const key = randomKey();
      const record = { v: 1, auth: { accessToken: "x".repeat(64 * 1024) } };
      await call(() => store.set(key, record));
      expect(await call(() => store.get(key))).toEqual(record);
    });

    it("refuses an empty key with ERR_INVALID_ARGUMENT", async () => {
      const store = await ctx.open();
      await expectCode(() => store.set("", sampleRecord()), "ERR_INVALID_ARGUMENT");
      await expectCode(() => store.get(""), "ERR_INVALID_ARGUMENT");
    });

    it("refuses a record that is not a JSON object (null, [], a string, a number, a BigInt) and writes nothing", async () => {
      const store = await ctx.open();
      const key = randomKey();
      await call(() => store.set(key, sampleRecord()));
      const before = await call(() => store.get(key));
      for (const bad of [null, [], "x", 7, { v: 1, n: 1n }]) {
        await expectCode(() => store.set(key, bad as unknown as JsonObject), "ERR_INVALID_ARGUMENT");
        expect(await call(() => store.get(key))).toEqual(before);
      }
      const fresh = randomKey();
      await expectCode(() => store.set(fresh, null as unknown as JsonObject), "ERR_INVALID_ARGUMENT");
      expect(await call(() => store.get(fresh))).toBeUndefined();
    });

    it("after close, calls reject with ERR_STORE_CLOSED and a second close is harmless", async () => {
      const store = await ctx.open();
      const key = randomKey();
      await call(() => store.set(key, sampleRecord()));
      await call(() => store.close());
      await call(() => store.close());
      await expectCode(() => store.get(key), "ERR_STORE_CLOSED");
      await expectCode(() => store.set(key, sampleRecord()), "ERR_STORE_CLOSED");
    });

    const { inspect } = ctx.options;
    if (inspect) {
      it("persists to the backend on set and removes from it on delete (inspect)", async () => {
        const store = await ctx.open();
        const key = randomKey();
        expect(await inspect(store, key)).toBeUndefined();
        await call(() => store.set(key, sampleRecord("raw")));
        const raw = await inspect(store, key);
        expect(raw).toBeDefined();
        expect(typeof raw === "string" ? raw : JSON.stringify(raw)).toContain("at-raw");
        await call(() => store.delete(key));
        expect(await inspect(store, key)).toBeUndefined();
      });
    }
  });
}
