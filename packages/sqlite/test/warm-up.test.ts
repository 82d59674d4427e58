import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSqliteStore, type SqliteStore } from "@sessionstore/sqlite";
import { crashSentinel, outcomeOf } from "@sessionstore/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "./support/temp-dir.js";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe("a store starts opening its database when it is made (warm-up)", () => {
  it("the database file exists before any call, and the first call uses it", async () => {
    const path = join(await tempDir("warm"), "nested", "sessions.db");
    const store = createSqliteStore({ path });
    stores.push(store);
    await vi.waitFor(() => expect(existsSync(path)).toBe(true), { timeout: 10_000, interval: 10 });
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });
  });

  it("a path that cannot be opened: no unhandled rejection; the first call is ERR_STORE_UNAVAILABLE", async () => {
    const root = await tempDir("warm-fail");
    await writeFile(join(root, "file"), "");
    const path = join(root, "file", "sessions.db");
    const sentinel = crashSentinel();
    sentinel.install();
    try {
      const store = createSqliteStore({ path });
      stores.push(store);
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_STORE_UNAVAILABLE" } });
      expect((first as { reason: Error }).reason.message).toContain(path);
    } finally {
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });

  it("close() right after making the store waits for the opening and closes it", async () => {
    const path = join(await tempDir("warm-close"), "sessions.db");
    const store = createSqliteStore({ path });
    await store.close();
    await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    // The file the warm-up made is a valid, closed database another store can open.
    const again = createSqliteStore({ path });
    stores.push(again);
    await again.set("k", { v: 2 });
    expect(await again.get("k")).toEqual({ v: 2 });
  });
});
