/**
 * Entries written through Keyv by sessionstore 0.1.0 (fixtures/0.1.0/map-entries.json:
 * the raw entries of Keyv's Map store, dumped by scripts/make-0.1.0-fixtures.mjs
 * on the 0.1.0 release) still read, list and take new writes after the upgrade.
 */
import { readFileSync } from "node:fs";
import { createSessionManager } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import { expectRecordsOf010 } from "@sessionstore/testkit/support";
import Keyv from "keyv";
import { describe, expect, it } from "vitest";

const entries = JSON.parse(
  readFileSync(new URL("./fixtures/0.1.0/map-entries.json", import.meta.url), "utf8"),
) as Record<string, string>;
/** The "app" record of the fixture expires then (five years after it was written). */
const APP_EXPIRES_AT = 1_953_554_703_729;

describe("Keyv entries written by 0.1.0", () => {
  it("read, list and take new writes beside them", async () => {
    const backing = new Map<string, unknown>(Object.entries(entries));
    const store = createKeyvStore(new Keyv({ store: backing }));
    try {
      const manager = createSessionManager(store, { namespace: "app" });
      await expectRecordsOf010(manager, APP_EXPIRES_AT);
      expect(backing.size).toBe(4);
    } finally {
      await store.close();
    }
  });
});
