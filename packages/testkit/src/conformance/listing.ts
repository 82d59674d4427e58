import { canList, type ListingStore, type SessionStore } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext } from "./context.js";
import { call } from "./expect-code.js";

function listingStore(store: SessionStore): ListingStore {
  if (!canList(store)) throw new Error("capabilities.list is true but list() is missing");
  return store;
}

const sorted = (keys: string[]) => [...keys].sort();

/** `list(prefix)` is a literal prefix match over live records. Runs when `capabilities.list`. */
export function describeListing(ctx: SuiteContext): void {
  describe("listing", () => {
    it("lists exactly the live keys that start with the prefix", async () => {
      const store = listingStore(await ctx.open());
      const base = randomKey("list");
      const inside = [`${base}:a`, `${base}:b:c`, `${base}:é`];
      for (const key of inside) await call(() => store.set(key, { v: 1 }));
      await call(() => store.set(`${base}-outside`, { v: 1 }));
      await call(() => store.set(`${base}:expired`, { v: 1 }, { expiresAt: Date.now() - 1 }));
      await call(() => store.set(`${base}:deleted`, { v: 1 }));
      await call(() => store.delete(`${base}:deleted`));
      expect(sorted(await call(() => store.list(`${base}:`)))).toEqual(sorted(inside));
    });

    it("treats pattern characters in the prefix literally", async () => {
      const store = listingStore(await ctx.open());
      const base = randomKey("literal");
      for (const suffix of ["%x", "_x", "*x", "?x", "[a]x", "ax", "bx"]) {
        await call(() => store.set(`${base}${suffix}`, { v: 1 }));
      }
      for (const prefix of ["%", "_", "*", "?", "[a]"]) {
        expect(await call(() => store.list(`${base}${prefix}`))).toEqual([`${base}${prefix}x`]);
      }
    });

    it("an unknown prefix lists nothing", async () => {
      const store = listingStore(await ctx.open());
      expect(await call(() => store.list(randomKey("none")))).toEqual([]);
    });
  });
}
