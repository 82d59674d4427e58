import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore, type FileStoreOptions } from "@sessionstore/file";
import { describe, expect, it } from "vitest";
import type { FileData } from "../src/internal/file-data.js";
import { LockedJsonFile } from "../src/internal/locked-json-file.js";
import { tempDir } from "./support/temp-dir.js";

async function sessionsPath(label: string): Promise<string> {
  return join(await tempDir(label), "sessions.json");
}

interface RawFile {
  records: Record<string, { record: string; expiresAt?: number }>;
  locks: Record<string, { token: string; expiresAt: number }>;
}

const rawFile = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RawFile;

function fileAdapter(path: string): LockedJsonFile {
  return new LockedJsonFile({
    path,
    lockStaleMs: 10_000,
    lockWaitMs: 10_000,
    now: Date.now,
    onWarning: () => undefined,
  });
}

const put = (key: string) => (fresh: FileData) => {
  fresh.records.set(key, { kind: "record", text: '{"v":1}', expiresAt: undefined });
  return { result: undefined, changed: true };
};

describe("options", () => {
  it("refuses a missing or empty path with ERR_INVALID_ARGUMENT naming `path`", () => {
    for (const options of [{}, { path: "" }, { path: "  " }, { path: 42 }, null, undefined]) {
      expect(() => createFileStore(options as unknown as FileStoreOptions)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: expect.stringMatching(/^(path|options)$/) }),
      );
    }
    expect(() => createFileStore({} as FileStoreOptions)).toThrow(/path/);
  });

  it("refuses bad tuning options, naming each", () => {
    const path = "sessions.json";
    for (const [field, value] of [
      ["lockStaleMs", 0],
      ["lockStaleMs", Number.NaN],
      ["lockWaitMs", -1],
      ["lockPollMs", 0],
      ["now", 5],
      ["onWarning", "log"],
    ] as const) {
      expect(() => createFileStore({ path, [field]: value } as unknown as FileStoreOptions)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field }),
      );
    }
  });

  it("resolves a relative path once, against the current directory", () => {
    const store = createFileStore({ path: "sessions.json" });
    expect(store.path).toBe(join(process.cwd(), "sessions.json"));
    expect(store.capabilities).toEqual({ lock: true, list: true, listPage: true, nativeExpiry: false, watch: true });
  });
});

describe("reads served from memory", () => {
  it("does not read the file again while it is unchanged, and does when another process replaced it", async () => {
    const path = await sessionsPath("cache");
    const mine = fileAdapter(path);
    const theirs = fileAdapter(path);
    await mine.update(put("mine"));
    for (let index = 0; index < 20; index += 1) expect((await mine.read()).records.has("mine")).toBe(true);
    expect(mine.diskReads).toBe(0);
    await theirs.update(put("theirs"));
    const seen = await mine.read();
    expect([...seen.records.keys()].sort()).toEqual(["mine", "theirs"]);
    expect(mine.diskReads).toBe(1);
    await mine.read();
    expect(mine.diskReads).toBe(1);
  });

  it("two stores on one file see each other's sets and deletes at once", async () => {
    const path = await sessionsPath("two-stores");
    const a = createFileStore({ path });
    const b = createFileStore({ path });
    await a.set("k", { v: 1, by: "a" });
    expect(await b.get("k")).toEqual({ v: 1, by: "a" });
    await b.set("k", { v: 1, by: "b" });
    expect(await a.get("k")).toEqual({ v: 1, by: "b" });
    expect(await a.delete("k")).toBe(true);
    expect(await b.get("k")).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });
});

describe("expiry and leases on an injected clock", () => {
  it("hides a record at its expiresAt, and purges it from the file on a later write", async () => {
    const path = await sessionsPath("expiry");
    let now = 1_000;
    const store = createFileStore({ path, now: () => now });
    await store.set("short", { v: 1 }, { expiresAt: 2_000 });
    await store.set("long", { v: 1 });
    now = 1_999;
    expect(await store.get("short")).toEqual({ v: 1 });
    now = 2_000;
    expect(await store.get("short")).toBeUndefined();
    expect(await store.list("")).toEqual(["long"]);
    expect(await store.delete("short")).toBe(false);
    await store.set("other", { v: 1 });
    expect(Object.keys(rawFile(path).records).sort()).toEqual(["long", "other"]);
    await store.close();
  });

  it("keeps the expiry in the file, so another process hides the record too", async () => {
    const path = await sessionsPath("expiry-shared");
    const writer = createFileStore({ path, now: () => 0 });
    await writer.set("k", { v: 1 }, { expiresAt: 5_000 });
    expect(rawFile(path).records.k?.expiresAt).toBe(5_000);
    const reader = createFileStore({ path, now: () => 5_000 });
    expect(await reader.get("k")).toBeUndefined();
    await Promise.all([writer.close(), reader.close()]);
  });

  it("a lease ends at its ttl; the old holder's release then frees nothing", async () => {
    const path = await sessionsPath("lease");
    let now = 0;
    const store = createFileStore({ path, now: () => now });
    const first = await store.lock("refresh", { ttlMs: 1_000, waitMs: 0 });
    now = 999;
    await expect(store.lock("refresh", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    now = 1_000;
    const second = await store.lock("refresh", { ttlMs: 1_000, waitMs: 0 });
    await first();
    expect(Object.keys(rawFile(path).locks)).toEqual(["refresh"]);
    await expect(store.lock("refresh", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await second();
    expect(rawFile(path).locks).toEqual({});
    // Leases live beside the records, never among them.
    expect(rawFile(path).records).toEqual({});
    await store.close();
  });
});

describe("records and keys", () => {
  it("keeps keys that mean something to JavaScript objects as plain data", async () => {
    const path = await sessionsPath("keys");
    const store = createFileStore({ path });
    const keys = ["__proto__", "constructor", "toString", "hasOwnProperty", "a\nb", "🔑"];
    for (const [index, key] of keys.entries()) await store.set(key, { v: 1, index });
    const again = createFileStore({ path });
    for (const [index, key] of keys.entries()) expect(await again.get(key)).toEqual({ v: 1, index });
    expect((await again.list("")).sort()).toEqual([...keys].sort());
    expect(({} as Record<string, unknown>).v).toBeUndefined();
    await Promise.all([store.close(), again.close()]);
  });

  it("close() lets writes already accepted reach the file", async () => {
    const path = await sessionsPath("close");
    const store = createFileStore({ path });
    const pending = Array.from({ length: 10 }, (_, index) => store.set(`k${index}`, { v: 1, index }));
    await store.close();
    await Promise.all(pending);
    const reader = createFileStore({ path });
    expect(await reader.list("k")).toHaveLength(10);
    await reader.close();
  });
});
