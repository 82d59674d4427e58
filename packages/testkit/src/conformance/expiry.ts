import { canList } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { sampleRecord } from "./crud.js";
import { call, expectCode } from "./expect-code.js";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `expiresAt` is honoured on read whether or not the backend expires records
 * by itself: these run for every store, `nativeExpiry` or not.
 */
export function describeExpiry(ctx: SuiteContext): void {
  describe("expiry", () => {
    it("a record whose expiresAt has passed reads as undefined (and is not listed)", async () => {
      const store = await ctx.open();
      const key = randomKey("expired");
      await call(() => store.set(key, sampleRecord(), { expiresAt: Date.now() - 1_000 }));
      expect(await call(() => store.get(key))).toBeUndefined();
      if (canList(store)) expect(await call(() => store.list(key))).toEqual([]);
    });

    it("a record lives until its expiresAt, then disappears", async () => {
      const store = await ctx.open();
      // A read that starts after the set and ends before expiresAt must see the record. On a busy
      // machine a short lifetime can pass before that read is done (it then proves nothing), so the
      // lifetime grows until one read fits inside it; every round checks the record is gone after.
      let provenAlive = false;
      for (const lifetimeMs of [400, 2_000, 10_000]) {
        const key = randomKey("ttl");
        const expiresAt = Date.now() + lifetimeMs;
        await call(() => store.set(key, sampleRecord(), { expiresAt }));
        const seen = await call(() => store.get(key));
        if (Date.now() < expiresAt) {
          expect(seen).toEqual(sampleRecord());
          provenAlive = true;
        }
        await sleep(Math.max(0, expiresAt - Date.now()) + 250);
        expect(await call(() => store.get(key))).toBeUndefined();
        if (provenAlive) break;
      }
      expect(provenAlive).toBe(true);
    }, 30_000);

    it("a later set without expiresAt makes the record permanent again", async () => {
      const store = await ctx.open();
      const key = randomKey("renew");
      await call(() => store.set(key, sampleRecord("short"), { expiresAt: Date.now() + 200 }));
      await call(() => store.set(key, sampleRecord("long")));
      await sleep(450);
      expect(await call(() => store.get(key))).toEqual(sampleRecord("long"));
    });

    it("a far-future expiresAt keeps the record", async () => {
      const store = await ctx.open();
      const key = randomKey("far");
      await call(() => store.set(key, sampleRecord(), { expiresAt: Date.now() + 365 * 24 * 3600 * 1000 }));
      expect(await call(() => store.get(key))).toEqual(sampleRecord());
    });

    it("refuses a non-finite expiresAt with ERR_INVALID_ARGUMENT and stores nothing", async () => {
      const store = await ctx.open();
      const key = randomKey("bad-expiry");
      await expectCode(() => store.set(key, sampleRecord(), { expiresAt: Number.NaN }), "ERR_INVALID_ARGUMENT");
      await expectCode(
        () => store.set(key, sampleRecord(), { expiresAt: Number.POSITIVE_INFINITY }),
        "ERR_INVALID_ARGUMENT",
      );
      expect(await call(() => store.get(key))).toBeUndefined();
    });
  });
}
