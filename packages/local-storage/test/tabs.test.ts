/**
 * Two tabs of one browser profile (two pages of one context): they share
 * localStorage and Web Locks, and learn of each other's writes only through
 * the `storage` event.
 */
import type { SessionStore } from "@sessionstore/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./support/browser.js";
import { createRemoteStore } from "./support/remote-store.js";

let harness: BrowserHarness;
let tabA: Page;
let tabB: Page;

beforeAll(async () => {
  harness = await startBrowserHarness();
  [tabA, tabB] = await Promise.all([harness.newPage(), harness.newPage()]);
});
afterAll(async () => harness?.close());

const uniquePrefix = () => `tabs-${crypto.randomUUID().slice(0, 8)}:`;

function collect(store: SessionStore): string[] {
  const seen: string[] = [];
  store.watch?.(({ key }) => seen.push(key));
  return seen;
}

describe("watch across tabs", () => {
  it("reports the other tab's writes and deletes under the prefix, and nothing else", async () => {
    const prefix = uniquePrefix();
    const writer = await createRemoteStore(harness, tabA, { prefix });
    const foreign = await createRemoteStore(harness, tabA, { prefix: `x${prefix}` });
    const watcher = await createRemoteStore(harness, tabB, { prefix });
    const seen = collect(watcher);
    await writer.set("s:1:password", { v: 1, token: "t1" });
    await foreign.set("s:1:password", { v: 1 });
    await writer.delete("s:1:password");
    await tabA.evaluate(() => localStorage.setItem("unrelated", "1"));
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual(["s:1:password", "s:1:password"]);
    await tabA.evaluate(() => localStorage.removeItem("unrelated"));
  });

  it("localStorage.clear() in the other tab is reported for every key the watcher knew", async () => {
    const prefix = uniquePrefix();
    const writer = await createRemoteStore(harness, tabA, { prefix });
    await writer.set("before-watch", { v: 1 });
    const watcher = await createRemoteStore(harness, tabB, { prefix });
    const seen = collect(watcher);
    await writer.set("during-watch", { v: 1 });
    await expect.poll(() => seen.length).toBe(1);
    await tabA.evaluate(() => localStorage.clear());
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.slice(1).sort()).toEqual(["before-watch", "during-watch"]);
    expect(await watcher.get("before-watch")).toBeUndefined();
  });

  it("with a SessionManager per tab: a refresh in one tab is adopted by the other, a logout logs both out", async () => {
    const script = async (step: string) => {
      const w = window as unknown as {
        manager?: ReturnType<typeof window.__sessionstore.createSessionManager>;
        changes?: string[];
      };
      const { createLocalStorageStore, createSessionManager } = window.__sessionstore;
      w.manager ??= createSessionManager(createLocalStorageStore({ prefix: "tabs-manager:" }), { namespace: "app" });
      if (step === "watch") {
        w.changes = [];
        w.manager.store.watch?.(({ key }) => w.changes?.push(key));
      }
      if (step === "login")
        await w.manager.set({ accessToken: "at-1", refreshToken: "rt-1", expiresIn: 3600 }, "client");
      if (step === "refresh")
        await w.manager.set({ accessToken: "at-2", refreshToken: "rt-2", expiresIn: 3600 }, "client");
      if (step === "logout") await w.manager.set({}, "client");
      return { token: (await w.manager.get("client"))?.accessToken ?? null, changes: w.changes ?? [] };
    };
    await tabB.evaluate(script, "watch");
    await tabA.evaluate(script, "login");
    await expect.poll(async () => (await tabB.evaluate(script, "read")).changes.length).toBe(1);
    expect(await tabB.evaluate(script, "read")).toEqual({ token: "at-1", changes: ["app:default:client"] });
    await tabA.evaluate(script, "refresh");
    await expect.poll(async () => (await tabB.evaluate(script, "read")).changes.length).toBe(2);
    expect((await tabB.evaluate(script, "read")).token).toBe("at-2");
    await tabA.evaluate(script, "logout");
    await expect.poll(async () => (await tabB.evaluate(script, "read")).changes.length).toBe(3);
    expect((await tabB.evaluate(script, "read")).token).toBeNull();
  });
});

describe("Web Locks across tabs", () => {
  it("a lock held in one tab excludes the other until released", async () => {
    const prefix = uniquePrefix();
    const a = await createRemoteStore(harness, tabA, { prefix });
    const b = await createRemoteStore(harness, tabB, { prefix });
    const release = await a.lock?.("refresh", { ttlMs: 30_000, waitMs: 0 });
    await expect(b.lock?.("refresh", { ttlMs: 30_000, waitMs: 100 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    const waiting = b.lock?.("refresh", { ttlMs: 30_000, waitMs: 10_000 });
    await release?.();
    const releaseB = await waiting;
    await releaseB?.();
  });

  it("read-modify-write under the lock from both tabs loses no update", async () => {
    const prefix = uniquePrefix();
    const rounds = 15;
    const worker = async ([p, n]: readonly [string, number]) => {
      const store = window.__sessionstore.createLocalStorageStore({ prefix: p });
      // What each round read, and when: a lost update shows as a value read twice.
      const reads: string[] = [];
      for (let round = 0; round < n; round++) {
        const release = await store.lock?.("counter", { ttlMs: 30_000, waitMs: 20_000 });
        const current = ((await store.get("counter"))?.value as number | undefined) ?? 0;
        reads.push(`${current}@${Math.round(performance.timeOrigin + performance.now())}`);
        // Yield inside the critical section so the other tab would interleave without the lock.
        await new Promise((resolve) => setTimeout(resolve, 2));
        await store.set("counter", { value: current + 1 });
        await release?.();
      }
      return reads;
    };
    const [readsA, readsB] = await Promise.all([
      tabA.evaluate(worker, [prefix, rounds] as const),
      tabB.evaluate(worker, [prefix, rounds] as const),
    ]);
    // Read under the lock too: tab B's last write reaches tab A's copy of localStorage
    // asynchronously, and only the lock's hand-off waits for it (a bare read here once saw 29).
    const store = await createRemoteStore(harness, tabA, { prefix });
    const release = await store.lock?.("counter", { ttlMs: 30_000, waitMs: 20_000 });
    expect(await store.get("counter"), `reads (value@ms) A: ${readsA.join(" ")}; B: ${readsB.join(" ")}`).toEqual({
      value: rounds * 2,
    });
    await release?.();
  });

  it("a tab that closes while holding the lock frees it (the browser releases it), long before the lease", async () => {
    const prefix = uniquePrefix();
    const doomed = await harness.newPage();
    const holder = await createRemoteStore(harness, doomed, { prefix });
    await holder.lock?.("refresh", { ttlMs: 600_000, waitMs: 0 });
    const b = await createRemoteStore(harness, tabB, { prefix });
    const waiting = b.lock?.("refresh", { ttlMs: 30_000, waitMs: 20_000 });
    await doomed.close();
    const release = await waiting;
    await release?.();
  });
});
