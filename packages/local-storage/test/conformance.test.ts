/**
 * The SessionStore conformance suite, run against the real localStorage and
 * Web Locks of Chromium: every store call is forwarded into the page.
 */
import type { SessionStore } from "@sessionstore/core";
import { describeSessionStore } from "@sessionstore/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./support/browser.js";
import { createRemoteStore, remoteHandle } from "./support/remote-store.js";

let harness: BrowserHarness | undefined;
let page: Page | undefined;
const prefix = `conformance-${crypto.randomUUID().slice(0, 8)}:`;

// The suite calls the factory while collecting tests (to read capabilities), before beforeAll runs.
async function ready(): Promise<{ harness: BrowserHarness; page: Page }> {
  harness ??= await startBrowserHarness();
  page ??= await harness.newPage();
  return { harness, page };
}
beforeAll(ready);
afterAll(async () => harness?.close());

async function openStore(spec: { storage?: "detached" } = {}): Promise<SessionStore> {
  const { harness: h, page: p } = await ready();
  return createRemoteStore(h, p, { prefix, ...spec });
}

describeSessionStore("local-storage (Chromium)", () => openStore(), {
  inspect: async (store, key) => {
    const { page: p, prefix: storePrefix } = remoteHandle(store);
    return (await p.evaluate((k) => localStorage.getItem(k), storePrefix + key)) ?? undefined;
  },
  corrupt: async (store, key) => {
    const { page: p, prefix: storePrefix } = remoteHandle(store);
    await p.evaluate((k) => localStorage.setItem(k, '{"record":{"v":1,"auth":{"accessTo'), storePrefix + key);
  },
  // A real Storage whose document went away (its iframe was removed): every call throws SecurityError.
  unavailable: () => openStore({ storage: "detached" }),
});
