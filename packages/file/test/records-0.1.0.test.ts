/**
 * A file written by sessionstore 0.1.0 (fixtures/0.1.0/sessions.json, made by
 * scripts/make-0.1.0-fixtures.mjs on the 0.1.0 release) still reads, lists,
 * expires and takes new writes after the upgrade.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { expectRecordsOf010 } from "@sessionstore/testkit/support";
import { afterEach, describe, expect, it } from "vitest";

const FIXTURE = new URL("./fixtures/0.1.0/sessions.json", import.meta.url);
/** The "app" record of the fixture expires then (five years after it was written). */
const APP_EXPIRES_AT = 1_953_554_703_629;
const dirs: string[] = [];

function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-file010-"));
  dirs.push(dir);
  const path = join(dir, "sessions.json");
  copyFileSync(FIXTURE, path);
  return path;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a session file written by 0.1.0", () => {
  it("reads and lists every session, and takes a new write beside them", async () => {
    const store = createFileStore({ path: copyOfFixture() });
    try {
      const manager = createSessionManager(store, { namespace: "app" });
      await expectRecordsOf010(manager, APP_EXPIRES_AT);
    } finally {
      await store.close();
    }
  });

  it("keeps the old records in the file beside a new one, and hides an old record once it expired", async () => {
    const path = copyOfFixture();
    const writer = createFileStore({ path });
    try {
      await createSessionManager(writer, { namespace: "app" }).set({ access_token: "AT-new" }, "client");
    } finally {
      await writer.close();
    }
    const text = readFileSync(path, "utf8");
    expect(text).toContain("AT-010-user");
    expect(text).toContain("AT-new");
    const later = createFileStore({ path, now: () => APP_EXPIRES_AT + 1 });
    try {
      expect(await later.get("app:default:app")).toBeUndefined();
      expect(await later.list("app:")).toEqual(expect.not.arrayContaining(["app:default:app"]));
      expect(await later.get("app:default:password")).toMatchObject({ auth: { accessToken: "AT-010-user" } });
    } finally {
      await later.close();
    }
  });
});
