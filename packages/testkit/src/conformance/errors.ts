import { createSessionManager, type SessionStoreError } from "@sessionstore/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crashSentinel } from "../faults/index.js";
import { randomKey, type SuiteContext, uniqueNamespace } from "./context.js";
import { sampleRecord } from "./crud.js";
import { call, expectCode } from "./expect-code.js";

/**
 * A failing backend is an error, never "no session" (keyv's swallowed `get()`
 * errors are the trap); corrupt bytes are `ERR_CORRUPT_RECORD` and stay local
 * to their key; nothing escapes as an unhandled rejection.
 */
export function describeErrors(ctx: SuiteContext): void {
  describe("errors", () => {
    const sentinel = crashSentinel();
    beforeEach(() => sentinel.install());
    afterEach(async () => {
      expect(await sentinel.uninstall()).toEqual([]);
    });

    it("a closed store rejects instead of answering undefined", async () => {
      const store = await ctx.open();
      await call(() => store.close());
      await expectCode(() => store.get(randomKey()), "ERR_STORE_CLOSED");
      await expectCode(() => store.delete(randomKey()), "ERR_STORE_CLOSED");
    });

    const { unavailable, corrupt } = ctx.options;
    if (unavailable) {
      it("an unavailable backend rejects get, set and delete with ERR_STORE_UNAVAILABLE", async () => {
        const store = ctx.track(await unavailable());
        const key = randomKey("down");
        const calls: (() => unknown)[] = [
          () => store.get(key),
          () => store.set(key, sampleRecord()),
          () => store.delete(key),
        ];
        for (const run of calls) {
          const error = await call(run).then(
            (value) => ({ resolved: value }),
            (reason: unknown) => reason as SessionStoreError,
          );
          expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
          expect((error as SessionStoreError).cause).toBeDefined();
        }
      });

      it("through a SessionManager, an outage rejects the promise form and reaches the callback form", async () => {
        const store = ctx.track(await unavailable());
        const manager = createSessionManager(store, { namespace: uniqueNamespace() });
        const events: SessionStoreError[] = [];
        manager.on("error", (error) => events.push(error));
        await expect(manager.get("password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
        const [authObject, error] = await new Promise<[unknown, SessionStoreError | undefined]>((resolve) =>
          manager.get("password", (auth, failure) => resolve([auth, failure])),
        );
        expect(authObject).toBeUndefined();
        expect(error?.code).toBe("ERR_STORE_UNAVAILABLE");
        expect(events.map((event) => event.code)).toEqual(["ERR_STORE_UNAVAILABLE"]);
        const setResult = await new Promise<unknown>((resolve) =>
          manager.set({ accessToken: "at" }, "password", resolve),
        );
        expect(setResult).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      });
    }

    if (corrupt) {
      it("corrupt bytes read as ERR_CORRUPT_RECORD and leave other keys readable", async () => {
        const store = await ctx.open();
        const bad = randomKey("corrupt");
        const good = randomKey("good");
        await call(() => store.set(good, sampleRecord("good")));
        await corrupt(store, bad);
        await expectCode(() => store.get(bad), "ERR_CORRUPT_RECORD");
        expect(await call(() => store.get(good))).toEqual(sampleRecord("good"));
        // A corrupt record can always be replaced: recovery needs no manual surgery.
        await call(() => store.set(bad, sampleRecord("fixed")));
        expect(await call(() => store.get(bad))).toEqual(sampleRecord("fixed"));
      });
    }
  });
}
