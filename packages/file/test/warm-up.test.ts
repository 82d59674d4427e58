import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { crashSentinel, outcomeOf } from "@sessionstore/testkit";
import { describe, expect, it, vi } from "vitest";
import { LockedJsonFile } from "../src/internal/locked-json-file.js";
import { tempDir } from "./support/temp-dir.js";

function fileAdapter(path: string): LockedJsonFile {
  return new LockedJsonFile({
    path,
    lockStaleMs: 10_000,
    lockWaitMs: 10_000,
    now: Date.now,
    onWarning: () => undefined,
  });
}

const VALID = JSON.stringify({ version: 1, records: {}, locks: {} });

describe("the file store loads its file when it is made (warm-up)", () => {
  it("warm() loads the file once; the first read is then served from memory", async () => {
    const path = join(await tempDir("warm"), "sessions.json");
    const writer = fileAdapter(path);
    await writer.update((fresh) => {
      fresh.records.set("k", { kind: "record", text: '{"v":1}', expiresAt: undefined });
      return { result: undefined, changed: true };
    });
    const file = fileAdapter(path);
    await file.warm();
    expect(file.diskReads).toBe(1);
    expect((await file.read()).records.has("k")).toBe(true);
    expect(file.diskReads).toBe(1);
  });

  it("making a store starts the warm-up, before any call", async () => {
    const warm = vi.spyOn(LockedJsonFile.prototype, "warm");
    try {
      const store = createFileStore({ path: join(await tempDir("warm-store"), "sessions.json") });
      expect(warm).toHaveBeenCalledTimes(1);
      await store.close();
    } finally {
      warm.mockRestore();
    }
  });

  it("warm() on a corrupt file neither rejects nor moves it; the store's first call reports ERR_CORRUPT_RECORD", async () => {
    const dir = await tempDir("warm-corrupt");
    const path = join(dir, "sessions.json");
    await writeFile(path, '{"sessionstore":1,"records":{', { mode: 0o600 });
    await fileAdapter(path).warm();
    expect(readdirSync(dir)).toEqual(["sessions.json"]);
    const sentinel = crashSentinel();
    sentinel.install();
    try {
      const store = createFileStore({ path });
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_CORRUPT_RECORD" } });
      expect(readdirSync(dir).some((name) => name.startsWith("sessions.json.corrupt-"))).toBe(true);
      await store.close();
    } finally {
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });

  it("a path that cannot be read: no unhandled rejection; the first call is ERR_STORE_UNAVAILABLE", async () => {
    const root = await tempDir("warm-fail");
    await writeFile(join(root, "file"), VALID);
    const sentinel = crashSentinel();
    sentinel.install();
    try {
      const store = createFileStore({ path: join(root, "file", "sessions.json") });
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_STORE_UNAVAILABLE" } });
      await store.close();
    } finally {
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });

  it("a missing file is not created by the warm-up (nothing is written until a write)", async () => {
    const dir = await tempDir("warm-missing");
    const path = join(dir, "sub", "sessions.json");
    const file = fileAdapter(path);
    await file.warm();
    expect(existsSync(join(dir, "sub"))).toBe(false);
    const store = createFileStore({ path });
    expect(await store.get("k")).toBeUndefined();
    expect(existsSync(join(dir, "sub"))).toBe(false);
    await store.close();
  });
});
