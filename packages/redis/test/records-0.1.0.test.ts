/**
 * Records written to Redis by sessionstore 0.1.0 (fixtures/0.1.0/records.json:
 * the raw values and TTLs, dumped by scripts/make-0.1.0-fixtures.mjs on the
 * 0.1.0 release) still read, list and take new writes after the upgrade.
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createClient } from "@redis/client";
import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { expectRecordsOf010 } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const URL_ = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
interface Dump {
  readonly entries: Record<string, { readonly value: string; readonly pttl: number }>;
}
const dump = JSON.parse(readFileSync(new URL("./fixtures/0.1.0/records.json", import.meta.url), "utf8")) as Dump;
/** The "app" record of the fixture expires then (five years after it was written). */
const APP_EXPIRES_AT = 1_953_554_703_693;

describe("Redis records written by 0.1.0", () => {
  const prefix = `t010-${randomUUID().slice(0, 8)}`;
  const admin = createClient({ url: URL_ });
  beforeAll(async () => {
    await admin.connect();
    for (const [suffix, entry] of Object.entries(dump.entries)) {
      const key = `${prefix}${suffix}`;
      if (entry.pttl > 0) await admin.set(key, entry.value, { expiration: { type: "PXAT", value: APP_EXPIRES_AT } });
      else await admin.set(key, entry.value);
    }
  });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(keys);
    await admin.quit();
  });

  it("read, list and take new writes beside them", async () => {
    expect(Object.keys(dump.entries)).toHaveLength(3);
    const store = createRedisStore({ url: URL_, keyPrefix: prefix });
    try {
      const manager = createSessionManager(store, { namespace: "app" });
      await expectRecordsOf010(manager, APP_EXPIRES_AT);
    } finally {
      await store.close();
    }
  });
});
