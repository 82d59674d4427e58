/**
 * localStorage items written by sessionstore 0.1.0 (fixtures/0.1.0/items.json,
 * dumped by scripts/make-0.1.0-fixtures.mjs on the 0.1.0 release) still read,
 * list and take new writes in real Chromium after the upgrade.
 */
import { readFileSync } from "node:fs";
import { createSessionManager } from "@sessionstore/core";
import { expectRecordsOf010 } from "@sessionstore/testkit/support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./support/browser.js";
import { createRemoteStore } from "./support/remote-store.js";

const OLD_PREFIX = "sessionstore:";
const items = JSON.parse(readFileSync(new URL("./fixtures/0.1.0/items.json", import.meta.url), "utf8")) as Record<
  string,
  string
>;
/** The "app" record of the fixture expires then (five years after it was written). */
const APP_EXPIRES_AT = 1_953_554_703_729;

let harness: BrowserHarness;
let page: Page;
beforeAll(async () => {
  harness = await startBrowserHarness();
  page = await harness.newPage();
});
afterAll(async () => harness?.close());

describe("localStorage items written by 0.1.0", () => {
  it("read, list and take new writes beside them", async () => {
    // The prefix is the store's option, not part of the record format: a unique one isolates this test.
    const prefix = `t010-${crypto.randomUUID().slice(0, 8)}:`;
    const moved = Object.entries(items).map(([key, value]) => {
      expect(key.startsWith(OLD_PREFIX)).toBe(true);
      return [prefix + key.slice(OLD_PREFIX.length), value] as const;
    });
    expect(moved).toHaveLength(3);
    await page.evaluate((pairs) => {
      for (const [key, value] of pairs) localStorage.setItem(key, value);
    }, moved);
    const store = await createRemoteStore(harness, page, { prefix });
    const manager = createSessionManager(store, { namespace: "app" });
    await expectRecordsOf010(manager, APP_EXPIRES_AT);
    await manager.clear();
    await store.close();
  });
});
