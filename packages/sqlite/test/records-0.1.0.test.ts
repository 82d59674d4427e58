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
  it("reads every session and lists them", async () => {
    const store = createSqliteStore({ path: copyOfFixture() });
    try {
      const manager = createSessionManager(store, { namespace: "app" });
      expect(await manager.get("password")).toMatchObject({
        accessToken: "AT-010-user",
        refreshToken: "RT-010-user",
        ref: { type: "user", id: 7 },
      });
      expect(await manager.get("app")).toMatchObject({ accessToken: "AT-010-app", expiresAt: APP_EXPIRES_AT });
      expect(await manager.forSubject("alice").get("server")).toMatchObject({ refreshToken: "RT-010-alice" });
      const listed = (await manager.list()).map((info) => info.key).sort();
      expect(listed).toEqual(["app:alice:server", "app:default:app", "app:default:password"]);
    } finally {
      await store.close();
    }
  });

  it("takes new writes beside the old records, and purges an old record once it expired", async () => {
    const path = copyOfFixture();
    const writer = createSqliteStore({ path });
    try {
      const manager = createSessionManager(writer, { namespace: "app" });
      await manager.set({ access_token: "AT-new", refresh_token: "RT-new" }, "client");
      expect(await manager.get("client")).toMatchObject({ accessToken: "AT-new" });
      expect(await manager.get("password")).toMatchObject({ accessToken: "AT-010-user" });
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
