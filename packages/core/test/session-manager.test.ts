import {
  type AuthObject,
  createMemoryStore,
  createSessionManager,
  generateEncryptionKey,
  isSessionManager,
  type SessionStoreError,
  withEncryption,
} from "@sessionstore/core";
import { describe, expect, it, vi } from "vitest";
import { createReorderingStore, createSwitchableStore } from "./support/stores.js";

const podioAuth = {
  accessToken: "at-1",
  refreshToken: "rt-1",
  expiresIn: 28800,
  ref: null,
  transferToken: null,
  scope: "global",
};

function nextTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe("SessionManager: podio-js callback forms", () => {
  it("get calls a one-argument callback with the stored object, then undefined after set({})", async () => {
    const manager = createSessionManager(createMemoryStore(), { now: () => 1000 });
    await new Promise<void>((resolve, reject) =>
      manager.set(podioAuth, "password", (error) => (error === null ? resolve() : reject(error))),
    );
    const got = await new Promise<AuthObject | undefined>((resolve) =>
      manager.get("password", (auth) => resolve(auth)),
    );
    expect(got).toMatchObject({
      accessToken: "at-1",
      refreshToken: "rt-1",
      expiresIn: 28800,
      expiresAt: 1000 + 28_800_000,
    });

    const returned = manager.set({}, "password");
    expect(returned).toBeInstanceOf(Promise);
    await returned;
    const after = await new Promise<unknown>((resolve) => manager.get("password", (auth) => resolve(auth ?? "none")));
    expect(after).toBe("none");
  });

  it("set's callback receives exactly null on success (podio-js treats anything else as failure)", async () => {
    const manager = createSessionManager(createMemoryStore());
    const args = await new Promise<unknown[]>((resolve) =>
      manager.set(podioAuth, "server", (...received) => resolve(received)),
    );
    expect(args).toEqual([null]);
  });

  it("callback forms return undefined and promise forms return Promises", async () => {
    const manager = createSessionManager(createMemoryStore());
    expect(manager.set(podioAuth, "client", () => undefined)).toBeUndefined();
    expect(manager.get("client", () => undefined)).toBeUndefined();
    await nextTick();
    await expect(manager.get("client")).resolves.toMatchObject({ accessToken: "at-1" });
  });

  it("an invalid object reaches set's callback as ERR_INVALID_AUTH_OBJECT naming the field; nothing is stored", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store);
    const error = await new Promise<SessionStoreError | null>((resolve) =>
      manager.set({ accessToken: "", refreshToken: "rt" }, "password", resolve),
    );
    expect(error?.code).toBe("ERR_INVALID_AUTH_OBJECT");
    expect(error?.field).toBe("accessToken");
    expect(store.list("")).toEqual([]);
    await expect(manager.set(null as unknown as object, "password")).rejects.toMatchObject({ field: "authObject" });
    expect(store.list("")).toEqual([]);
  });

  it("a store failure is never 'no session': get's callback gets it as second argument and an 'error' event", async () => {
    const store = createSwitchableStore();
    const manager = createSessionManager(store);
    await manager.set(podioAuth, "password");
    store.down = true;
    const events: string[] = [];
    manager.on("error", (error) => events.push(error.code));
    const [auth, error] = await new Promise<[unknown, SessionStoreError | undefined]>((resolve) =>
      manager.get("password", (received, failure) => resolve([received, failure])),
    );
    expect(auth).toBeUndefined();
    expect(error?.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(events).toEqual(["ERR_STORE_UNAVAILABLE"]);
    await expect(manager.get("password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
  });

  it("with no 'error' listener, a hidden failure is written to console.error, not dropped", async () => {
    const store = createSwitchableStore();
    store.down = true;
    const manager = createSessionManager(store);
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await new Promise((resolve) => manager.get("password", resolve));
      expect(spy).toHaveBeenCalledOnce();
      expect(String(spy.mock.calls[0]?.[0])).toContain("ERR_STORE_UNAVAILABLE");
    } finally {
      spy.mockRestore();
    }
  });

  it("a store that throws instead of rejecting fails the call as a store error, tokens masked, and nothing escapes", async () => {
    const memory = createMemoryStore();
    const store = {
      ...memory,
      capabilities: memory.capabilities,
      get: () => {
        throw new Error("get broke");
      },
      set: (_key: string, record: unknown) => {
        throw new Error(`set broke on ${JSON.stringify(record)}`);
      },
    };
    const manager = createSessionManager(store);
    const failure = await manager.set(podioAuth, "password").catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
    expect(String((failure as Error).message)).not.toContain("at-1");
    expect(String((failure as Error).message)).not.toContain("rt-1");
    await expect(manager.get("password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
  });

  it("podio-js's fire-and-forget set({}) during an outage is reported and cannot crash the process", async () => {
    const store = createSwitchableStore();
    store.down = true;
    const manager = createSessionManager(store);
    const unhandled: unknown[] = [];
    const sentinel = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", sentinel);
    const reported: string[] = [];
    manager.on("error", (error) => reported.push(error.code));
    try {
      manager.set({}, "password");
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", sentinel);
    }
    expect(unhandled).toEqual([]);
    expect(reported).toEqual(["ERR_STORE_UNAVAILABLE"]);
  });

  it("applies writes to one key in call order, even on a store that reorders them", async () => {
    const manager = createSessionManager(createReorderingStore());
    await manager.set(podioAuth, "password");
    // podio-js's refresh: clear (no callback), then write the new pair.
    manager.set({}, "password");
    await manager.set({ ...podioAuth, accessToken: "at-2" }, "password");
    await expect(manager.get("password")).resolves.toMatchObject({ accessToken: "at-2" });
  });

  it("a callback that throws is not mistaken for a store failure", async () => {
    const manager = createSessionManager(createMemoryStore());
    const errors: unknown[] = [];
    manager.on("error", (error) => errors.push(error));
    // Take vitest's own handler off for a moment: the throw is what this test expects.
    const saved = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    const thrown = new Promise<unknown>((resolve) => {
      process.once("uncaughtException", (error) => {
        for (const listener of saved) process.on("uncaughtException", listener);
        resolve(error);
      });
    });
    let calls = 0;
    manager.get("password", () => {
      calls += 1;
      throw new Error("user callback bug");
    });
    expect(await thrown).toMatchObject({ message: "user callback bug" });
    expect(calls).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe("SessionManager: keys, scoping and metadata", () => {
  it("stores under <namespace>:<subject>:<authType> and scopes by subject", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store, { namespace: "acme" });
    const alice = manager.forSubject("alice@example.com");
    await alice.set(podioAuth, "server");
    await manager.set({ ...podioAuth, accessToken: "default" }, "server");
    expect(store.list("").sort()).toEqual(["acme:alice@example.com:server", "acme:default:server"]);
    await expect(alice.get("server")).resolves.toMatchObject({ accessToken: "at-1" });
    await expect(manager.forSubject("bob").get("server")).resolves.toBeUndefined();
    expect(isSessionManager(alice)).toBe(true);
    expect(alice.keyFor("app")).toBe("acme:alice@example.com:app");
  });

  it.each(["a*", "a%", "a_b", "a:b", "", " a", "a b", "-a", "x".repeat(65)])("refuses namespace %j", (namespace) => {
    expect(() => createSessionManager(createMemoryStore(), { namespace })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "namespace" }),
    );
  });

  it.each(["a:b", "a*", "a%", "a?", "[a]", "a b", "", "a\\b", "a\nb"])("refuses subject %j", (subject) => {
    expect(() => createSessionManager(createMemoryStore()).forSubject(subject)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "subject" }),
    );
  });

  it("refuses an unknown auth type without touching the store", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store);
    await expect(manager.set(podioAuth, "implicit" as "client")).rejects.toMatchObject({ field: "authType" });
    await expect(manager.get("nope" as "client")).rejects.toMatchObject({ field: "authType" });
    expect(store.list("")).toEqual([]);
  });

  it("refuses a store that is not a SessionStore, pointing at fromLegacyStore", () => {
    const legacy = { get: () => undefined, set: () => undefined };
    expect(() => createSessionManager(legacy as never)).toThrow(/fromLegacyStore/);
  });

  it("write/read keep the fingerprint and updatedAt; the store keeps it until the refresh token dies", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store, { now: () => 5_000 });
    const written = await manager.write(
      "password",
      { access_token: "a", refresh_token: "r", expires_in: 1 },
      { fingerprint: "fp1" },
    );
    expect(written).toMatchObject({ fingerprint: "fp1", updatedAt: 5_000 });
    await expect(manager.read("password")).resolves.toEqual(written);
  });

  it("list() reports subjects, auth types and expiry, never token values; clear() empties only its namespace", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store, { namespace: "app1", now: () => 0 });
    const other = createSessionManager(store, { namespace: "app10" });
    await manager.forSubject("u1").set({ accessToken: "secret-1", expiresIn: 60 }, "password");
    await manager.forSubject("u2").set({ accessToken: "secret-2", refreshToken: "secret-r" }, "server");
    await other.set({ accessToken: "keep-me" }, "app");
    await store.set("app1:u3:password", { garbage: true });
    const listed = await manager.list();
    expect(JSON.stringify(listed)).not.toMatch(/secret/);
    expect(listed.sort((a, b) => a.subject.localeCompare(b.subject))).toEqual([
      expect.objectContaining({ subject: "u1", authType: "password", expiresAt: 60_000, refreshable: false }),
      expect.objectContaining({ subject: "u2", authType: "server", refreshable: true }),
      expect.objectContaining({ subject: "u3", corrupt: true }),
    ]);
    await expect(manager.clear()).resolves.toBe(3);
    await expect(manager.list()).resolves.toEqual([]);
    await expect(other.get("app")).resolves.toMatchObject({ accessToken: "keep-me" });
  });

  it("refuses subjects and keys a UTF-8 backend would merge (lone surrogate) or choke on (NUL)", async () => {
    const manager = createSessionManager(createMemoryStore());
    expect(() => manager.forSubject("mallory\uD800")).toThrow(expect.objectContaining({ field: "subject" }));
    expect(() => manager.forSubject("emoji-\u{1F511}")).not.toThrow();
    const store = createMemoryStore();
    for (const key of ["k\u0000", "k\uDC00x"]) {
      await expect(store.set(key, { v: 1 })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "key" });
    }
  });

  it("list() reports a record it cannot decrypt as unreadable instead of failing", async () => {
    const inner = createMemoryStore();
    const writer = createSessionManager(
      withEncryption(inner, { keys: { old: generateEncryptionKey() }, activeKeyId: "old" }),
    );
    await writer.forSubject("u1").set({ accessToken: "secret-1" }, "password");
    const reader = createSessionManager(
      withEncryption(inner, { keys: { new: generateEncryptionKey() }, activeKeyId: "new" }),
    );
    await reader.forSubject("u2").set({ accessToken: "secret-2" }, "password");
    const listed = await reader.list();
    expect(listed.sort((a, b) => a.subject.localeCompare(b.subject))).toEqual([
      expect.objectContaining({ subject: "u1", corrupt: true }),
      expect.objectContaining({ subject: "u2", refreshable: false }),
    ]);
  });

  it("a record of the wrong shape is ERR_CORRUPT_RECORD, not a session", async () => {
    const store = createMemoryStore();
    const manager = createSessionManager(store);
    await store.set(manager.keyFor("password"), { v: 1, auth: { accessToken: 5 }, updatedAt: 1 });
    await expect(manager.get("password")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
  });

  it("list() and clear() need a store that can list", async () => {
    const listless = { ...createMemoryStore(), capabilities: { lock: false, list: false, nativeExpiry: false } };
    const manager = createSessionManager(listless);
    await expect(manager.list()).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
    await expect(manager.clear()).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
  });

  it("lock() excludes other holders, through the store or in-process when it has no lock", async () => {
    for (const store of [
      createMemoryStore(),
      { ...createMemoryStore(), capabilities: { lock: false, list: true, nativeExpiry: false } },
    ]) {
      const manager = createSessionManager(store);
      const release = await manager.lock("password", { ttlMs: 5_000, waitMs: 0 });
      await expect(manager.lock("password", { ttlMs: 5_000, waitMs: 20 })).rejects.toMatchObject({
        code: "ERR_LOCK_TIMEOUT",
      });
      await release();
      const again = await manager.lock("password", { ttlMs: 5_000, waitMs: 0 });
      await again();
    }
  });
});
