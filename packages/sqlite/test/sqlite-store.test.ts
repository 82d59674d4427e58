import { join } from "node:path";
import { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from "@sessionstore/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { openRaw, rawValue, writeRaw } from "./support/sqlite3.js";
import { tempDir } from "./support/temp-dir.js";

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map(async (store) => store.close()));
});

async function openStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const path = options.path ?? join(await tempDir("store"), "sessions.db");
  const store = createSqliteStore({ ...options, path });
  stores.push(store);
  return store;
}

const record = { v: 1, auth: { accessToken: "at-1", refreshToken: "rt-1" } };

describe("options", () => {
  it("refuses invalid options with ERR_INVALID_ARGUMENT naming the option", () => {
    const bad: Array<[SqliteStoreOptions, string]> = [
      [{ table: "sessions; DROP TABLE x" }, "options.table"],
      [{ table: "_sessions" }, "options.table"],
      [{ table: "sqlite_master" }, "options.table"],
      [{ table: "" }, "options.table"],
      [{ path: "" }, "options.path"],
      [{ path: ":memory:" }, "options.path"],
      [{ busyTimeoutMs: -1 }, "options.busyTimeoutMs"],
      [{ busyTimeoutMs: Number.NaN }, "options.busyTimeoutMs"],
      [{ purgeIntervalMs: 1.5 }, "options.purgeIntervalMs"],
      [{ lockPollMs: 0 }, "options.lockPollMs"],
    ];
    for (const [options, field] of bad) {
      expect(() => createSqliteStore(options), field).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field }),
      );
    }
  });

  it("declares lock, list, listPage and watch; nativeExpiry while the purge timer runs", async () => {
    expect((await openStore()).capabilities).toEqual({
      lock: true,
      list: true,
      listPage: true,
      nativeExpiry: true,
      watch: true,
    });
    expect((await openStore({ purgeIntervalMs: 0 })).capabilities.nativeExpiry).toBe(false);
  });
});

describe("what is stored", () => {
  it("one row per key in the table (custom name), the envelope holding the record and its expiry", async () => {
    const store = await openStore({ table: "tokens" });
    const expiresAt = Date.now() + 60_000;
    await store.set("a:1", record, { expiresAt });
    const raw = (await rawValue(store.path, "a:1", "tokens")) as string;
    // One JSON layer: no Keyv entry around it (Keyv's delete-on-read expiry is not atomic across processes).
    expect(JSON.parse(raw)).toEqual({ expiresAt, record });
  });

  it("reads, lists, deletes and purges rows written by 0.1.0 (the envelope inside a Keyv entry)", async () => {
    let clock = Date.now();
    const store = await openStore({ now: () => clock, purgeIntervalMs: 0 });
    const legacy = (expiresAt: number | null) =>
      JSON.stringify({ value: JSON.stringify({ expiresAt, record }), expires: null });
    await store.list("");
    await writeRaw(store.path, "old:forever", legacy(null));
    await writeRaw(store.path, "old:short", legacy(clock + 1_000));
    await writeRaw(store.path, "old:gone", legacy(clock + 1_000));
    expect(await store.get("old:forever")).toEqual(record);
    expect(await store.get("old:short")).toEqual(record);
    expect((await store.list("old:")).sort()).toEqual(["old:forever", "old:gone", "old:short"]);
    expect(await store.delete("old:gone")).toBe(true);
    clock += 2_000;
    expect(await store.get("old:short")).toBeUndefined();
    expect(await store.purgeExpired()).toBe(1);
    expect(await rawValue(store.path, "old:short")).toBeUndefined();
    expect(await store.list("old:")).toEqual(["old:forever"]);
  });
});

describe("expired rows", () => {
  it("are purged without being read: purgeExpired(), at open, and by the timer", async () => {
    let clock = Date.now();
    const now = () => clock;
    const store = await openStore({ now, purgeIntervalMs: 0 });
    await store.set("short", record, { expiresAt: clock + 1_000 });
    await store.set("long", record, { expiresAt: clock + 60_000 });
    await store.set("forever", record);
    clock += 2_000;
    expect(await store.purgeExpired()).toBe(1);
    expect(await rawValue(store.path, "short")).toBeUndefined();
    expect(await rawValue(store.path, "long")).toBeDefined();

    // At open: a second store on the file purges before its first call returns.
    await store.set("short", record, { expiresAt: clock + 1_000 });
    clock += 2_000;
    const reopened = await openStore({ path: store.path, now, purgeIntervalMs: 0 });
    await reopened.list("");
    expect(await rawValue(store.path, "short")).toBeUndefined();

    // By the timer of an open store.
    const timed = await openStore({ path: store.path, now, purgeIntervalMs: 20 });
    await timed.set("short", record, { expiresAt: clock + 1_000 });
    clock += 2_000;
    for (let attempt = 0; attempt < 200 && (await rawValue(store.path, "short")) !== undefined; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await rawValue(store.path, "short")).toBeUndefined();
    expect(await timed.get("forever")).toEqual(record);
    expect(await timed.list("")).toEqual(expect.arrayContaining(["long", "forever"]));
  });

  it("leave corrupt rows alone (a human decides), which read as ERR_CORRUPT_RECORD", async () => {
    const store = await openStore({ purgeIntervalMs: 0 });
    await store.set("k", record);
    await writeRaw(store.path, "bad", "not json {");
    await writeRaw(store.path, "bad2", JSON.stringify({ value: "not an envelope" }));
    expect(await store.purgeExpired()).toBe(0);
    await expect(store.get("bad")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    await expect(store.get("bad2")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    expect((await store.list("")).sort()).toEqual(["bad", "bad2", "k"]);
    expect(await store.delete("bad")).toBe(true);
    expect(await store.delete("bad2")).toBe(true);
    expect(await store.get("k")).toEqual(record);
  });
});

describe("busy timeout", () => {
  it("a write waits for another connection's write transaction instead of failing with SQLITE_BUSY", async () => {
    const store = await openStore();
    await store.set("k", { v: 1, generation: 0 });
    const other = await openRaw(store.path);
    try {
      await other.run("BEGIN IMMEDIATE");
      let settled = false;
      const write = store.set("k", { v: 1, generation: 1 }).finally(() => {
        settled = true;
      });
      // Longer than node-sqlite3's own default busy timeout (1000 ms): only ours (5000 ms) keeps it waiting.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(settled).toBe(false);
      await other.run("COMMIT");
      await write;
      expect(await store.get("k")).toEqual({ v: 1, generation: 1 });
    } finally {
      await other.close();
    }
  });

  it("with busyTimeoutMs 0 the same write does not wait: ERR_STORE_UNAVAILABLE (SQLITE_BUSY)", async () => {
    const store = await openStore({ busyTimeoutMs: 0 });
    await store.set("k", { v: 1 });
    const other = await openRaw(store.path);
    try {
      await other.run("BEGIN IMMEDIATE");
      await expect(store.set("k", { v: 2 })).rejects.toMatchObject({
        code: "ERR_STORE_UNAVAILABLE",
        message: expect.stringContaining("SQLITE_BUSY"),
      });
      await other.run("COMMIT");
    } finally {
      await other.close();
    }
  });
});

describe("locks", () => {
  it("live in <table>_locks as a lease row, gone after release", async () => {
    const store = await openStore();
    const release = await store.lock("name", { ttlMs: 10_000, waitMs: 0 });
    const raw = await openRaw(store.path);
    try {
      const rows = (await raw.all("SELECT name, token, expires_at FROM sessions_locks")) as Array<{
        name: string;
        expires_at: number;
      }>;
      expect(rows).toEqual([{ name: "name", token: expect.any(String), expires_at: expect.any(Number) }]);
      await release();
      expect(await raw.all("SELECT name FROM sessions_locks")).toEqual([]);
    } finally {
      await raw.close();
    }
  });

  it("close() releases the locks the store holds", async () => {
    const path = join(await tempDir("close-locks"), "sessions.db");
    const first = await openStore({ path });
    const release = await first.lock("name", { ttlMs: 60_000, waitMs: 0 });
    await first.close();
    await release();
    const second = await openStore({ path });
    const again = await second.lock("name", { ttlMs: 60_000, waitMs: 0 });
    await again();
  });

  it("leases follow the injected clock", async () => {
    let clock = Date.now();
    const store = await openStore({ now: () => clock });
    await store.lock("lease", { ttlMs: 60_000, waitMs: 0 });
    await expect(store.lock("lease", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
    clock += 60_000;
    const next = await store.lock("lease", { ttlMs: 1_000, waitMs: 0 });
    await next();
  });

  it("close() while a lock() waits makes it reject with ERR_STORE_CLOSED", async () => {
    const store = await openStore();
    await store.lock("busy", { ttlMs: 60_000, waitMs: 0 });
    const waiting = store.lock("busy", { ttlMs: 1_000, waitMs: 20_000 }).then(
      () => "acquired",
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.close();
    expect(await waiting).toMatchObject({ code: "ERR_STORE_CLOSED" });
  });
});
