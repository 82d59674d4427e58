/**
 * A database written by sessionstore 0.1.0 (fixtures/0.1.0/sessions.db, made by
 * scripts/make-0.1.0-fixtures.mjs on the 0.1.0 release) still reads, lists,
 * expires and takes new writes after the upgrade.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { expectRecordsOf010 } from "@sessionstore/testkit/support";
import { afterEach, describe, expect, it } from "vitest";

const FIXTURE = new URL("./fixtures/0.1.0/sessions.db", import.meta.url);
/** The "app" record of the fixture expires then (five years after it was written). */
const APP_EXPIRES_AT = 1_953_554_703_609;
const dirs: string[] = [];

function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-sqlite010-"));
  dirs.push(dir);
  const path = join(dir, "sessions.db");
  copyFileSync(FIXTURE, path);
  return path;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a SQLite database written by 0.1.0", () => {
  it("reads and lists every session, and takes a new write beside them", async () => {
    const store = createSqliteStore({ path: copyOfFixture() });
    try {
      const manager = createSessionManager(store, { namespace: "app" });
      await expectRecordsOf010(manager, APP_EXPIRES_AT);
    } finally {
      await store.close();
    }
  });

  it("purges an old record once it expired, beside a new one", async () => {
    const path = copyOfFixture();
    const writer = createSqliteStore({ path });
    try {
      await createSessionManager(writer, { namespace: "app" }).set({ access_token: "AT-new" }, "client");
    } finally {
      await writer.close();
    }
    // A clock past the old record's expiry: the purge must understand the 0.1.0 row.
    const later = createSqliteStore({ path, now: () => APP_EXPIRES_AT + 1, purgeOnOpen: false, purgeIntervalMs: 0 });
    try {
      expect(await later.purgeExpired()).toBe(1);
      expect(await later.get("app:default:app")).toBeUndefined();
      expect(await later.get("app:default:password")).toMatchObject({ auth: { accessToken: "AT-010-user" } });
    } finally {
      await later.close();
    }
  });
});
