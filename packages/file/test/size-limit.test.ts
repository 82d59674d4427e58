import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore, FILE_STORE_SESSION_LIMIT } from "@sessionstore/file";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/temp-dir.js";

const RECORD = JSON.stringify({ v: 1, auth: { accessToken: "at-0001" }, updatedAt: 1 });

/** A session file already holding `count` sessions, in the store's own format. */
async function fileWith(count: number): Promise<string> {
  const path = join(await tempDir("limit"), "sessions.json");
  const records: Record<string, { record: string }> = {};
  for (let index = 0; index < count; index += 1) records[`ns:user-${index}:password`] = { record: RECORD };
  writeFileSync(path, JSON.stringify({ sessionstore: 1, records, locks: {} }), { mode: 0o600 });
  return path;
}

describe("the file store's documented size", () => {
  it(`warns once through onWarning when a write takes the file past ${FILE_STORE_SESSION_LIMIT} sessions, and still writes`, async () => {
    const path = await fileWith(FILE_STORE_SESSION_LIMIT);
    const warnings: Error[] = [];
    const store = createFileStore({ path, onWarning: (error) => warnings.push(error) });
    try {
      await store.set("ns:user-0:password", { v: 1 });
      expect(warnings).toEqual([]); // an overwrite: still at the limit
      await store.set("ns:extra-1:password", { v: 1 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toContain(`holds ${FILE_STORE_SESSION_LIMIT + 1} sessions`);
      expect(warnings[0]?.message).toContain("@sessionstore/sqlite");
      await store.set("ns:extra-2:password", { v: 1 });
      expect(warnings).toHaveLength(1);
      expect(await store.get("ns:extra-2:password")).toEqual({ v: 1 });
    } finally {
      await store.close();
    }
  });

  it("says nothing for a file within the limit", async () => {
    const path = await fileWith(10);
    const warnings: Error[] = [];
    const store = createFileStore({ path, onWarning: (error) => warnings.push(error) });
    try {
      await store.set("ns:another:password", { v: 1 });
      expect(warnings).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
