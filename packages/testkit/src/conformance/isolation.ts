import { createSessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { randomKey, type SuiteContext, uniqueNamespace } from "./context.js";
import { call } from "./expect-code.js";

// Characters that mean "anything" to glob (Redis SCAN MATCH), LIKE (SQL) or a
// regex: a careless adapter would let one key stand for another.
const TRICKY = ["*", "%", "_", "?", "[x]", ":", "\\", ".", "^$", "'", '"', " ", "é"];

/** Keys are literal: no character gives a key pattern meaning; namespaces and subjects never see each other. */
export function describeIsolation(ctx: SuiteContext): void {
  describe("isolation", () => {
    it("keys that differ only by pattern characters are distinct records", async () => {
      const store = await ctx.open();
      const base = randomKey("iso");
      const keys = [`${base}a`, ...TRICKY.map((suffix) => `${base}${suffix}`)];
      for (const [index, key] of keys.entries()) await call(() => store.set(key, { v: 1, index }));
      for (const [index, key] of keys.entries()) expect(await call(() => store.get(key))).toEqual({ v: 1, index });
      // Deleting the "wildcard" keys must remove exactly those.
      for (const key of keys.slice(1)) expect(await call(() => store.delete(key))).toBe(true);
      expect(await call(() => store.get(keys[0] as string))).toEqual({ v: 1, index: 0 });
    });

    it("a key is not confused with its prefix or its extensions", async () => {
      const store = await ctx.open();
      const key = randomKey("prefix");
      await call(() => store.set(`${key}:a`, { v: 1, which: "a" }));
      await call(() => store.set(`${key}:ab`, { v: 1, which: "ab" }));
      await call(() => store.set(`${key}:a:b`, { v: 1, which: "a:b" }));
      expect(await call(() => store.get(key))).toBeUndefined();
      await call(() => store.delete(`${key}:a`));
      expect(await call(() => store.get(`${key}:ab`))).toEqual({ v: 1, which: "ab" });
      expect(await call(() => store.get(`${key}:a:b`))).toEqual({ v: 1, which: "a:b" });
    });

    it("managers on different namespaces and subjects never see each other's sessions", async () => {
      const store = await ctx.open();
      const namespace = uniqueNamespace();
      const a = createSessionManager(store, { namespace, subject: "user_1" });
      const lookalike = createSessionManager(store, { namespace, subject: "userX1" });
      const otherNamespace = createSessionManager(store, { namespace: `${namespace}a`, subject: "user_1" });
      await a.set({ accessToken: "a-token" }, "password");
      await lookalike.set({ accessToken: "lookalike-token" }, "password");
      await otherNamespace.set({ accessToken: "other-ns-token" }, "password");
      expect((await a.get("password"))?.accessToken).toBe("a-token");
      expect((await lookalike.get("password"))?.accessToken).toBe("lookalike-token");
      expect((await otherNamespace.get("password"))?.accessToken).toBe("other-ns-token");
      expect(await a.get("server")).toBeUndefined();
    });

    if (ctx.capabilities.list) {
      it("clear() of a namespace removes its sessions only, not a namespace it prefixes", async () => {
        const store = await ctx.open();
        const namespace = uniqueNamespace();
        const target = createSessionManager(store, { namespace });
        const longer = createSessionManager(store, { namespace: `${namespace}b` });
        await target.set({ accessToken: "t1" }, "password");
        await target.forSubject("user_2").set({ accessToken: "t2" }, "app");
        await longer.set({ accessToken: "keep" }, "password");
        expect(await target.clear()).toBe(2);
        expect(await target.get("password")).toBeUndefined();
        expect((await longer.get("password"))?.accessToken).toBe("keep");
        await longer.clear();
      });
    }
  });
}
