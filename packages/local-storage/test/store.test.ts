/**
 * The store against the real localStorage and Web Locks of Chromium: what is
 * persisted, expiry, corruption, quota, storage that is denied, locks, and
 * changes between store instances of one tab. (Tabs: tabs.test.ts.)
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./support/browser.js";
import { createRemoteStore } from "./support/remote-store.js";

let harness: BrowserHarness;
let page: Page;

beforeAll(async () => {
  harness = await startBrowserHarness();
  page = await harness.newPage();
});
afterAll(async () => harness?.close());

const uniquePrefix = () => `t-${crypto.randomUUID().slice(0, 8)}:`;

describe("records in localStorage", () => {
  it("are JSON envelopes under the prefix, with expiresAt when given", async () => {
    const prefix = uniquePrefix();
    const store = await createRemoteStore(harness, page, { prefix });
    await store.set("s:1:password", { v: 1, auth: { accessToken: "at-1" } }, { expiresAt: 4_102_444_800_000 });
    await store.set("s:2:password", { v: 1 });
    const raw = await page.evaluate(
      (p) => [localStorage.getItem(`${p}s:1:password`), localStorage.getItem(`${p}s:2:password`)],
      prefix,
    );
    expect(JSON.parse(raw[0] ?? "null")).toEqual({
      record: { v: 1, auth: { accessToken: "at-1" } },
      expiresAt: 4_102_444_800_000,
    });
    expect(JSON.parse(raw[1] ?? "null")).toEqual({ expiresAt: null, record: { v: 1 } });
    await store.close();
  });

  it("honour expiresAt on read (injected clock): the expired value is hidden, unlisted and removed", async () => {
    const result = await page.evaluate(async (prefix) => {
      let now = 1_000;
      const store = window.__sessionstore.createLocalStorageStore({ prefix, now: () => now });
      await store.set("k", { v: 1 }, { expiresAt: 2_000 });
      const before = await store.get("k");
      const listedBefore = await store.list("");
      now = 2_000;
      const after = await store.get("k");
      const listedAfter = await store.list("");
      return { before, listedBefore, after, listedAfter, raw: localStorage.getItem(`${prefix}k`) };
    }, uniquePrefix());
    expect(result).toEqual({ before: { v: 1 }, listedBefore: ["k"], after: undefined, listedAfter: [], raw: null });
  });

  it("report a value that is not an envelope as ERR_CORRUPT_RECORD; list shows it and delete removes it", async () => {
    const result = await page.evaluate(async (prefix) => {
      localStorage.setItem(`${prefix}garbage`, "{not json");
      // A bare record without the envelope (another library's format) is not silently taken for one.
      localStorage.setItem(`${prefix}bare`, JSON.stringify({ accessToken: "x" }));
      const store = window.__sessionstore.createLocalStorageStore({ prefix });
      const codes: string[] = [];
      for (const key of ["garbage", "bare"]) {
        await store.get(key).catch((error: { code: string }) => codes.push(error.code));
      }
      const listed = (await store.list("")).sort();
      const deleted = [await store.delete("garbage"), await store.delete("bare")];
      return {
        codes,
        listed,
        deleted,
        left: [localStorage.getItem(`${prefix}garbage`), localStorage.getItem(`${prefix}bare`)],
      };
    }, uniquePrefix());
    expect(result).toEqual({
      codes: ["ERR_CORRUPT_RECORD", "ERR_CORRUPT_RECORD"],
      listed: ["bare", "garbage"],
      deleted: [true, true],
      left: [null, null],
    });
  });

  it("list only this store's prefix, literally, ignoring the page's other keys", async () => {
    const prefix = uniquePrefix();
    const result = await page.evaluate(async (p) => {
      localStorage.setItem("unrelated-app-key", "hello");
      const store = window.__sessionstore.createLocalStorageStore({ prefix: p });
      const longer = window.__sessionstore.createLocalStorageStore({ prefix: `${p}x` });
      await store.set("a:1", { v: 1 });
      await store.set("a*", { v: 1 });
      await store.set("b", { v: 1 });
      await longer.set("a:1", { v: 2 });
      const lists = {
        all: (await store.list("")).sort(),
        a: (await store.list("a")).sort(),
        star: await store.list("a*"),
      };
      localStorage.removeItem("unrelated-app-key");
      return { ...lists, longer: await longer.list("") };
    }, prefix);
    expect(result).toEqual({ all: ["a*", "a:1", "b", "xa:1"], a: ["a*", "a:1"], star: ["a*"], longer: ["a:1"] });
  });
});

describe("quota", () => {
  it("a write over the quota rejects ERR_STORE_UNAVAILABLE with the cause, and the previous session stays", async () => {
    const result = await page.evaluate(async (prefix) => {
      const { createLocalStorageStore, createSessionManager } = window.__sessionstore;
      const store = createLocalStorageStore({ prefix });
      const manager = createSessionManager(store, { namespace: "quota" });
      await manager.set({ accessToken: "old-access", refreshToken: "old-refresh", expiresIn: 3600 }, "password");
      // Fill the origin's quota for real, in shrinking chunks, so less than 1 KiB stays free.
      const fillers: string[] = [];
      let filled = 0;
      for (let chunk = 512 * 1024; chunk >= 1024 && fillers.length < 200; ) {
        const key = `filler-${fillers.length}`;
        try {
          localStorage.setItem(key, "f".repeat(chunk));
          fillers.push(key);
          filled += chunk;
        } catch {
          chunk /= 2;
        }
      }
      const failure = await manager
        .set({ accessToken: `new-access-${"n".repeat(4096)}`, refreshToken: "new-refresh" }, "password")
        .then(
          () => undefined,
          (error: { code: string; cause?: { name: string } }) => ({ code: error.code, cause: error.cause?.name }),
        );
      const rawFailure = await store
        .set("raw", { pad: "p".repeat(4096) })
        .catch((error: { code: string }) => error.code);
      const kept = await manager.get("password");
      for (const key of fillers) localStorage.removeItem(key);
      return {
        filled,
        failure,
        rawFailure,
        kept: kept && { accessToken: kept.accessToken, refreshToken: kept.refreshToken },
      };
    }, uniquePrefix());
    expect(result.filled).toBeGreaterThan(1024 * 1024);
    expect(result.failure).toEqual({ code: "ERR_STORE_UNAVAILABLE", cause: "QuotaExceededError" });
    expect(result.rawFailure).toBe("ERR_STORE_UNAVAILABLE");
    expect(result.kept).toEqual({ accessToken: "old-access", refreshToken: "old-refresh" });
  });
});

describe("storage that cannot be used", () => {
  it("a sandboxed iframe (localStorage getter throws SecurityError) fails at creation with ERR_STORE_UNAVAILABLE", async () => {
    await page.evaluate(async () => {
      const frame = document.createElement("iframe");
      frame.setAttribute("sandbox", "allow-scripts");
      frame.src = "/frame.html";
      document.body.append(frame);
      await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
    });
    const sandboxed = page.frames().find((frame) => frame.url().endsWith("/frame.html"));
    if (!sandboxed) throw new Error("sandboxed frame not found");
    await sandboxed.waitForFunction(() => window.__sessionstore !== undefined);
    const result = await sandboxed.evaluate(() => {
      try {
        window.__sessionstore.createLocalStorageStore();
        return { created: true };
      } catch (error) {
        const { code, message, cause } = error as { code: string; message: string; cause?: { name: string } };
        return { code, message, cause: cause?.name };
      }
    });
    expect(result).toMatchObject({ code: "ERR_STORE_UNAVAILABLE", cause: "SecurityError" });
  });

  it("a storage that stops answering (its frame is gone) rejects every call with ERR_STORE_UNAVAILABLE", async () => {
    const store = await createRemoteStore(harness, page, { storage: "detached" });
    for (const run of [
      () => store.get("k"),
      () => store.set("k", { v: 1 }),
      () => store.delete("k"),
      () => store.list?.(""),
    ]) {
      await expect(run()).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE", cause: { name: "SecurityError" } });
    }
  });

  it("an object that is not Storage-like fails at creation with ERR_STORE_UNAVAILABLE", async () => {
    const result = await page.evaluate(() => {
      try {
        window.__sessionstore.createLocalStorageStore({ storage: {} as Storage });
        return undefined;
      } catch (error) {
        return { code: (error as { code: string }).code, cause: (error as { cause: Error }).cause.name };
      }
    });
    expect(result).toEqual({ code: "ERR_STORE_UNAVAILABLE", cause: "TypeError" });
  });
});

describe("lock (Web Locks)", () => {
  it("is a real Web Lock: navigator.locks.query() shows it held, then released", async () => {
    const result = await page.evaluate(async (prefix) => {
      const store = window.__sessionstore.createLocalStorageStore({ prefix });
      const release = await store.lock?.("s:1:password", { ttlMs: 5_000, waitMs: 0 });
      const held = (await navigator.locks.query()).held?.map((lock) => lock.name) ?? [];
      await release?.();
      const after = (await navigator.locks.query()).held?.map((lock) => lock.name) ?? [];
      return { held, after, record: await store.get("s:1:password") };
    }, "webl:");
    expect(result.held).toContain("lock:webl:s:1:password");
    expect(result.after).not.toContain("lock:webl:s:1:password");
    // The lock never shows up as a record.
    expect(result.record).toBeUndefined();
  });

  it("waitMs 0 fails at once and waitMs > 0 fails after waiting, both ERR_LOCK_TIMEOUT; release lets the next in", async () => {
    const result = await page.evaluate(async (prefix) => {
      const a = window.__sessionstore.createLocalStorageStore({ prefix });
      const b = window.__sessionstore.createLocalStorageStore({ prefix });
      const release = await a.lock?.("k", { ttlMs: 10_000, waitMs: 0 });
      const code = (promise: Promise<unknown> | undefined) =>
        promise?.then(
          () => "acquired",
          (error: { code: string }) => error.code,
        );
      const immediate = await code(b.lock?.("k", { ttlMs: 1_000, waitMs: 0 }));
      const waited = await code(b.lock?.("k", { ttlMs: 1_000, waitMs: 80 }));
      const next = b.lock?.("k", { ttlMs: 1_000, waitMs: 5_000 });
      await release?.();
      const releaseNext = await next;
      await releaseNext?.();
      return { immediate, waited, next: typeof releaseNext };
    }, uniquePrefix());
    expect(result).toEqual({ immediate: "ERR_LOCK_TIMEOUT", waited: "ERR_LOCK_TIMEOUT", next: "function" });
  });

  it("lease: a holder that never releases loses the lock after ttlMs; its late release does not free the next holder", async () => {
    const result = await page.evaluate(async (prefix) => {
      const a = window.__sessionstore.createLocalStorageStore({ prefix });
      const b = window.__sessionstore.createLocalStorageStore({ prefix });
      const c = window.__sessionstore.createLocalStorageStore({ prefix });
      const staleRelease = await a.lock?.("k", { ttlMs: 150, waitMs: 0 });
      const second = await b.lock?.("k", { ttlMs: 10_000, waitMs: 5_000 });
      await staleRelease?.();
      const third = await c.lock?.("k", { ttlMs: 1_000, waitMs: 0 }).then(
        () => "acquired",
        (error: { code: string }) => error.code,
      );
      await second?.();
      await second?.();
      return { gotSecond: typeof second, third };
    }, uniquePrefix());
    expect(result).toEqual({ gotSecond: "function", third: "ERR_LOCK_TIMEOUT" });
  });

  it("close() releases the locks the store holds and ends its waits with ERR_STORE_CLOSED", async () => {
    const result = await page.evaluate(async (prefix) => {
      const a = window.__sessionstore.createLocalStorageStore({ prefix });
      const b = window.__sessionstore.createLocalStorageStore({ prefix });
      await a.lock?.("held", { ttlMs: 60_000, waitMs: 0 });
      const waiting = b.lock?.("held", { ttlMs: 1_000, waitMs: 60_000 }).then(
        () => "acquired",
        (error: { code: string }) => error.code,
      );
      await b.close();
      const waitOutcome = await waiting;
      await a.close();
      const names = (await navigator.locks.query()).held?.map((lock) => lock.name) ?? [];
      return { waitOutcome, stillHeld: names.includes(`lock:${prefix}held`) };
    }, uniquePrefix());
    expect(result).toEqual({ waitOutcome: "ERR_STORE_CLOSED", stillHeld: false });
  });

  it("hand-off: a new holder waits until its storage shows the previous holder's writes (lagging caches)", async () => {
    // Chromium gives each renderer its own localStorage cache and delivers other
    // tabs' writes to it asynchronously, in order; real tabs show the race only
    // now and then (tabs.test.ts). Here each store gets such a cache with a
    // 30 ms lag, so a holder that trusted its first read would lose updates.
    const result = await page.evaluate(
      async ([prefix, rounds]) => {
        const backend = new Map<string, string>();
        const caches: Map<string, string>[] = [];
        const laggingView = (lagMs: number): Storage => {
          const cache = new Map(backend);
          caches.push(cache);
          const propagate = (apply: (other: Map<string, string>) => void) => {
            for (const other of caches) if (other !== cache) setTimeout(() => apply(other), lagMs);
          };
          return {
            get length() {
              return cache.size;
            },
            key: (index: number) => [...cache.keys()][index] ?? null,
            getItem: (key: string) => cache.get(key) ?? null,
            setItem: (key: string, value: string) => {
              cache.set(key, value);
              backend.set(key, value);
              propagate((other) => other.set(key, value));
            },
            removeItem: (key: string) => {
              cache.delete(key);
              backend.delete(key);
              propagate((other) => other.delete(key));
            },
            clear: () => {},
          };
        };
        const { createLocalStorageStore } = window.__sessionstore;
        const tabs = [laggingView(30), laggingView(30)].map((storage) => createLocalStorageStore({ storage, prefix }));
        await Promise.all(
          tabs.map(async (store) => {
            for (let round = 0; round < rounds; round++) {
              const release = await store.lock?.("counter", { ttlMs: 30_000, waitMs: 20_000 });
              const current = ((await store.get("counter"))?.value as number | undefined) ?? 0;
              await store.set("counter", { value: current + 1 });
              await release?.();
            }
          }),
        );
        return JSON.parse(backend.get(`${prefix}counter`) ?? "null");
      },
      [uniquePrefix(), 8] as const,
    );
    expect(result).toEqual({ expiresAt: null, record: { value: 16 } });
  });

  it("locks: false turns the capability off", async () => {
    const store = await createRemoteStore(harness, page, { locks: false });
    expect(store.capabilities.lock).toBe(false);
    expect(store.lock).toBeUndefined();
  });
});

describe("watch within one tab", () => {
  it("reports another instance's writes and deletes under the prefix, not its own, until stopped", async () => {
    const result = await page.evaluate(async (prefix) => {
      const { createLocalStorageStore } = window.__sessionstore;
      const writer = createLocalStorageStore({ prefix });
      const watcher = createLocalStorageStore({ prefix });
      const other = createLocalStorageStore({ prefix: `other-${prefix}` });
      const seenByWatcher: string[] = [];
      const seenByWriter: string[] = [];
      const stop = watcher.watch(({ key }) => seenByWatcher.push(key));
      writer.watch(({ key }) => seenByWriter.push(key));
      await writer.set("a", { v: 1 });
      await other.set("not-mine", { v: 1 });
      await writer.delete("a");
      await writer.delete("never-there");
      await new Promise((resolve) => setTimeout(resolve, 20));
      stop();
      await writer.set("after-stop", { v: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { seenByWatcher, seenByWriter };
    }, uniquePrefix());
    expect(result).toEqual({ seenByWatcher: ["a", "a"], seenByWriter: [] });
  });
});
