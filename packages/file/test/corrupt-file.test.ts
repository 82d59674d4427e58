import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore, type FileStore } from "@sessionstore/file";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/temp-dir.js";

async function corruptFile(content: string): Promise<{ dir: string; path: string; store: FileStore }> {
  const dir = await tempDir("corrupt");
  const path = join(dir, "sessions.json");
  writeFileSync(path, content, { mode: 0o600 });
  return { dir, path, store: createFileStore({ path }) };
}

function quarantined(dir: string): string[] {
  return readdirSync(dir).filter((entry) => entry.startsWith("sessions.json.corrupt-"));
}

const valid = JSON.stringify({ sessionstore: 1, records: { a: { record: '{"v":1,"auth":{"accessToken":"x"}}' } } });

describe("a corrupt session file", () => {
  const cases: [string, string][] = [
    ["a truncated file", valid.slice(0, valid.length / 2)],
    ["a truncated indented file", JSON.stringify(JSON.parse(valid), null, 2).slice(0, 30)],
    ["a document whose records are not an object", JSON.stringify({ sessionstore: 1, records: [] })],
  ];

  for (const [label, content] of cases) {
    it(`${label}: moved aside, reported once with ERR_CORRUPT_RECORD naming where, then an empty store`, async () => {
      const { dir, path, store } = await corruptFile(content);
      const error = await store.get("a").then(
        () => undefined,
        (reason: unknown) => reason as Error & { code: string },
      );
      expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_CORRUPT_RECORD" });
      const [moved] = quarantined(dir);
      expect(moved).toBeDefined();
      expect(error?.message).toContain(join(dir, moved as string));
      // The bytes are kept as they were, for whoever wants to look.
      expect(readFileSync(join(dir, moved as string), "utf8")).toBe(content);
      expect(existsSync(path)).toBe(false);
      // No crash loop: the next calls work on an empty store, and the file comes back valid.
      expect(await store.get("a")).toBeUndefined();
      await store.set("a", { v: 1, fresh: true });
      expect(await store.get("a")).toEqual({ v: 1, fresh: true });
      expect(quarantined(dir)).toHaveLength(1);
      await store.close();
    });
  }

  it("found by a write: the write rejects ERR_CORRUPT_RECORD and is not applied; the next write works", async () => {
    const { dir, store } = await corruptFile(valid.slice(0, 20));
    await expect(store.set("k", { v: 1 })).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    expect(await store.get("k")).toBeUndefined();
    await store.set("k", { v: 2 });
    expect(await store.get("k")).toEqual({ v: 2 });
    expect(quarantined(dir)).toHaveLength(1);
    await store.close();
  });

  it("seen by many stores at once: moved aside exactly once, reported exactly once", async () => {
    const { dir, path, store } = await corruptFile(valid.slice(0, 20));
    const others = Array.from({ length: 5 }, () => createFileStore({ path }));
    const outcomes = await Promise.allSettled([store, ...others].map((each) => each.get("a")));
    const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled").map((outcome) => outcome.value)).toEqual(
      Array(5).fill(undefined),
    );
    expect(quarantined(dir)).toHaveLength(1);
    await Promise.all([store, ...others].map((each) => each.close()));
  });

  it("a file written by a newer version is not touched: ERR_STORE_UNAVAILABLE, nothing moved", async () => {
    const content = JSON.stringify({ sessionstore: 2, records: {} });
    const { dir, path, store } = await corruptFile(content);
    await expect(store.get("a")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    await expect(store.set("a", { v: 1 })).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    expect(readFileSync(path, "utf8")).toBe(content);
    expect(quarantined(dir)).toEqual([]);
    await store.close();
  });

  it("one bad entry stays local to its key: the others are served, a set replaces it", async () => {
    const document = {
      sessionstore: 1,
      records: {
        good: { record: '{"v":1}' },
        "not-an-entry": 42,
        "torn-text": { record: '{"v":1,"auth":{"acc' },
        "array-text": { record: "[1,2]" },
      },
    };
    const { dir, store } = await corruptFile(JSON.stringify(document));
    expect(await store.get("good")).toEqual({ v: 1 });
    for (const key of ["not-an-entry", "torn-text", "array-text"]) {
      await expect(store.get(key)).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    }
    // Listed (it is there, and clearing a namespace must be able to remove it) and deletable.
    expect((await store.list("")).sort()).toEqual(["array-text", "good", "not-an-entry", "torn-text"]);
    expect(await store.delete("not-an-entry")).toBe(true);
    await store.set("torn-text", { v: 1, fixed: true });
    expect(await store.get("torn-text")).toEqual({ v: 1, fixed: true });
    expect(quarantined(dir)).toEqual([]);
    await store.close();
  });
});
