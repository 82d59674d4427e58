import {
  createMemoryStore,
  type JsonObject,
  type SessionStoreError,
  SessionStoreError as StoreError,
} from "@sessionstore/core";
import {
  defineStore,
  encodeEnvelope,
  pollLease,
  type StoreBackend,
  type StoredEntry,
} from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

const TOKEN = "at-9f8e7d6c5b4a39281706";
const record: JsonObject = { v: 1, auth: { accessToken: TOKEN, refreshToken: "rt-0a1b2c3d4e5f60718293" } };

/** A real backend on a Map (envelope text per key), recording what the kit asked of it. */
function mapBackend(overrides: Partial<StoreBackend> = {}) {
  const rows = new Map<string, string>();
  const locks = new Map<string, { token: string; expiresAt: number }>();
  const calls: string[] = [];
  const backend: StoreBackend = {
    read(key) {
      calls.push(`read ${key}`);
      return rows.get(key);
    },
    write(key, text) {
      calls.push(`write ${key}`);
      rows.set(key, text);
    },
    remove(key) {
      calls.push(`remove ${key}`);
      const text = rows.get(key);
      rows.delete(key);
      return text;
    },
    list(prefix) {
      return [...rows].filter(([key]) => key.startsWith(prefix)) as Array<[string, StoredEntry]>;
    },
    tryLock({ name, token, at, expiresAt }) {
      const holder = locks.get(name);
      if (holder && holder.expiresAt > at) return false;
      locks.set(name, { token, expiresAt });
      return true;
    },
    unlock(name, token) {
      calls.push(`unlock ${name}`);
      if (locks.get(name)?.token === token) locks.delete(name);
    },
    ...overrides,
  };
  return { rows, locks, calls, backend };
}

const CAPABILITIES = Object.freeze({ lock: true, list: true, nativeExpiry: false });

function codeOf(error: unknown): string | undefined {
  return (error as SessionStoreError).code;
}

describe("defineStore: the guard every store gets", () => {
  it("after close every call rejects with ERR_STORE_CLOSED and the backend is not reached", async () => {
    const { backend, calls } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend });
    await store.close();
    await store.close();
    const attempts: Array<() => unknown> = [
      () => store.get("k"),
      () => store.set("k", record),
      () => store.delete("k"),
      () => store.list?.("k"),
      () => store.lock?.("k", { ttlMs: 100, waitMs: 0 }),
    ];
    for (const attempt of attempts) {
      await expect(Promise.resolve().then(attempt)).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    }
    expect(calls).toEqual([]);
  });

  it("refuses bad keys, list prefixes and lock names with ERR_INVALID_ARGUMENT before the backend", async () => {
    const { backend, calls } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend });
    for (const key of ["", "a\uD800", "a\u0000b", "x".repeat(1025)]) {
      await expect(store.get(key)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "key" });
      await expect(store.set(key, record)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
      await expect(store.lock?.(key, { ttlMs: 100, waitMs: 0 })).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
      });
    }
    await expect(store.list?.(7 as unknown as string)).rejects.toMatchObject({ field: "prefix" });
    await expect(store.set("k", record, { expiresAt: Number.NaN })).rejects.toMatchObject({
      field: "options.expiresAt",
    });
    expect(calls).toEqual([]);
  });

  it("hides an expired envelope on read and list, on the injected clock", async () => {
    let clock = 1_000;
    const { backend, rows } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend, now: () => clock });
    await store.set("a", record, { expiresAt: 2_000 });
    await store.set("b", record);
    expect(JSON.parse(rows.get("a") ?? "")).toEqual({ expiresAt: 2_000, record });
    expect(await store.get("a")).toEqual(record);
    clock = 2_000;
    expect(await store.get("a")).toBeUndefined();
    expect(await store.list?.("")).toEqual(["b"]);
    // Expired, so deleting it removed nothing live.
    expect(await store.delete("a")).toBe(false);
    expect(await store.delete("b")).toBe(true);
  });

  it("a corrupt row is ERR_CORRUPT_RECORD on get, yet listed and counted when deleted", async () => {
    const { backend, rows } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend });
    rows.set("bad", `{"expiresAt":null,"record":{"accessToken":"${TOKEN}"`);
    const error = await store.get("bad").catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe("ERR_CORRUPT_RECORD");
    expect(String((error as Error).message)).not.toContain(TOKEN);
    expect(await store.list?.("")).toEqual(["bad"]);
    expect(await store.delete("bad")).toBe(true);
  });

  it("a write whose expiresAt already passed deletes instead of writing (dead on arrival)", async () => {
    const { backend, rows, calls } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend, now: () => 5_000 });
    rows.set("k", encodeEnvelope(record, undefined));
    await store.set("k", record, { expiresAt: 5_000 });
    expect(calls).toEqual(["remove k"]);
    expect(rows.has("k")).toBe(false);
  });

  it("a driver error quoting the record reaches the caller masked, message and cause chain", async () => {
    const { backend } = mapBackend({
      write(key, text) {
        throw new Error(`INSERT failed for ${key}: ${text}`, { cause: new Error(`row ${JSON.stringify(text)}`) });
      },
    });
    const { store } = defineStore({
      kind: "test",
      capabilities: CAPABILITIES,
      backend,
      describe: (operation) => `${operation} (test)`,
    });
    const error = await store.set("k", record).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(codeOf(error)).toBe("ERR_STORE_UNAVAILABLE");
    expect((error as Error).message).toContain("store set (test) failed");
    const seen: string[] = [];
    for (let link: unknown = error; link instanceof Error; link = link.cause) seen.push(link.message);
    expect(seen.length).toBe(3);
    for (const message of seen) {
      expect(message).not.toContain(TOKEN);
      expect(message).not.toContain("rt-0a1b2c3d4e5f60718293");
    }
  });

  it("close() waits for a call in flight before closing the backend", async () => {
    let finish: (text: string | undefined) => void = () => undefined;
    const order: string[] = [];
    const { backend } = mapBackend({
      read: () => new Promise<string | undefined>((resolve) => (finish = resolve)),
      close: () => {
        order.push("backend closed");
      },
    });
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend });
    const reading = store.get("k");
    const closing = store.close().then(() => order.push("close resolved"));
    // Let close() run as far as it can: the backend must stay open while the read runs.
    for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
    expect(order).toEqual([]);
    order.push("read answered");
    finish(undefined);
    expect(await reading).toBeUndefined();
    await closing;
    expect(order).toEqual(["read answered", "backend closed", "close resolved"]);
  });

  it("close() frees the locks the store holds, and a waiting lock() rejects with ERR_STORE_CLOSED", async () => {
    const { backend, locks, calls } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend, lockPollMs: 2 });
    await store.lock?.("held", { ttlMs: 60_000, waitMs: 0 });
    expect(locks.has("held")).toBe(true);
    const waiting = store.lock?.("held", { ttlMs: 60_000, waitMs: 30_000 });
    const outcome = waiting?.catch((caught: unknown) => caught);
    await store.close();
    expect(codeOf(await outcome)).toBe("ERR_STORE_CLOSED");
    expect(calls).toContain("unlock held");
    expect(locks.has("held")).toBe(false);
  });

  it("a release after close does nothing, and releasing twice is harmless", async () => {
    const { backend, calls } = mapBackend();
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend });
    const release = await store.lock?.("a", { ttlMs: 60_000, waitMs: 0 });
    await release?.();
    await release?.();
    expect(calls.filter((call) => call === "unlock a")).toHaveLength(1);
  });

  it("watch refuses a listener that is not a function with ERR_INVALID_ARGUMENT naming it", () => {
    const { backend } = mapBackend({ watch: () => () => undefined });
    const { store } = defineStore({ kind: "test", capabilities: { ...CAPABILITIES, watch: true }, backend });
    expect(() => store.watch?.("not a function" as never)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "listener" }),
    );
  });
});

describe("pollLease: one wait loop, one clock rule", () => {
  it("times out on the real clock when the store's clock is frozen", async () => {
    const { backend } = mapBackend();
    // The clock never moves, so the first holder's lease never ends on it.
    const { store } = defineStore({ kind: "test", capabilities: CAPABILITIES, backend, now: () => 0, lockPollMs: 2 });
    await store.lock?.("frozen", { ttlMs: 10, waitMs: 0 });
    await expect(store.lock?.("frozen", { ttlMs: 10, waitMs: 40 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await store.close();
  });

  it("the memory store's lock times out too when its injected clock is frozen", async () => {
    const store = createMemoryStore({ now: () => 0, lockPollMs: 2 });
    await store.lock("frozen", { ttlMs: 10, waitMs: 0 });
    await expect(store.lock("frozen", { ttlMs: 10, waitMs: 40 })).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
    await store.close();
  });

  it("tries at least once with waitMs 0, then keeps trying until taken", async () => {
    let attempts = 0;
    await expect(
      pollLease({ name: "n", waitMs: 0, pollMs: 1, tryAcquire: () => ++attempts > 1 }),
    ).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
    expect(attempts).toBe(1);
    attempts = 0;
    await pollLease({ name: "n", waitMs: 30_000, pollMs: 1, tryAcquire: async () => ++attempts >= 3 });
    expect(attempts).toBe(3);
  });

  it("stops waiting as soon as ensureOpen throws", async () => {
    let open = true;
    const waiting = pollLease({
      name: "n",
      waitMs: 30_000,
      pollMs: 1,
      tryAcquire: () => false,
      ensureOpen: () => {
        if (!open) throw new StoreError("ERR_STORE_CLOSED", "the store was closed");
      },
      pause: async () => {
        open = false;
      },
    });
    await expect(waiting).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
  });
});
