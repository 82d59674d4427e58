/**
 * Outside a browser: server-side rendering has no localStorage, and some
 * browsers throw from the getter itself. Both must fail at creation, clearly,
 * instead of crashing on the first get much later. A Storage-like object
 * passed in works anywhere.
 */
import { createSessionManager } from "@sessionstore/core";
import { createLocalStorageStore, type StorageLike } from "@sessionstore/local-storage";
import { afterEach, describe, expect, it } from "vitest";

const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
  if (saved) Object.defineProperty(globalThis, "localStorage", saved);
});

/** An in-memory Web Storage for Node: what an app would pass during SSR or in a worker. */
class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
}

function creationError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error as { name: string; code: string; message: string; field?: string; cause?: unknown };
  }
  throw new Error("creation did not fail");
}

describe("creation without a usable localStorage", () => {
  it("server-side rendering (no localStorage global) fails at creation with ERR_STORE_UNAVAILABLE", () => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
    const error = creationError(() => createLocalStorageStore());
    expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
    expect(error.message).toMatch(/server-side rendering/);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("a getter that throws (Safari private mode, sandboxed iframe) fails at creation with the cause", () => {
    const denied = new DOMException("The operation is insecure.", "SecurityError");
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      get() {
        throw denied;
      },
    });
    const error = creationError(() => createLocalStorageStore());
    expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    expect(error.cause).toBe(denied);
  });

  it("a storage whose reads throw (storage disabled) fails at creation, not at the first get", () => {
    const storage = new MapStorage();
    const disabled = new DOMException("access is denied for this document", "SecurityError");
    storage.getItem = () => {
      throw disabled;
    };
    const error = creationError(() => createLocalStorageStore({ storage }));
    expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    expect(error.cause).toBe(disabled);
  });

  it("a localStorage global that is not a Storage is ERR_STORE_UNAVAILABLE; an empty prefix is ERR_INVALID_ARGUMENT", () => {
    Object.defineProperty(globalThis, "localStorage", { configurable: true, value: {} });
    expect(creationError(() => createLocalStorageStore())).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    for (const prefix of ["", "\0x", 7]) {
      expect(
        creationError(() => createLocalStorageStore({ storage: new MapStorage(), prefix: prefix as string })),
      ).toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        field: "options.prefix",
      });
    }
  });
});

describe("with a Storage-like object (no browser)", () => {
  it("keeps sessions through a SessionManager, honours expiry with the injected clock", async () => {
    const storage = new MapStorage();
    let now = 1_000_000;
    const store = createLocalStorageStore({ storage, prefix: "app:", now: () => now, locks: false });
    const manager = createSessionManager(store, { now: () => now });
    await manager.set({ accessToken: "at", refreshToken: "rt", expiresIn: 60 }, "password");
    expect([...storage.items.keys()]).toEqual(["app:sessionstore:default:password"]);
    expect((await manager.get("password"))?.accessToken).toBe("at");
    await store.set("short", { v: 1 }, { expiresAt: now + 10 });
    now += 10;
    expect(await store.get("short")).toBeUndefined();
    expect(storage.items.has("app:short")).toBe(false);
    await manager.set({}, "password");
    expect(storage.items.size).toBe(0);
  });

  it("declares lock only when a LockManager is there; locks: false turns it off", () => {
    const storage = new MapStorage();
    const hasWebLocks =
      typeof (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator?.locks?.request === "function";
    expect(createLocalStorageStore({ storage }).capabilities.lock).toBe(hasWebLocks);
    const off = createLocalStorageStore({ storage, locks: false });
    expect(off.capabilities).toEqual({ lock: false, list: true, nativeExpiry: false, watch: true });
    expect(off.lock).toBeUndefined();
  });

  it("a setItem that throws (quota) rejects ERR_STORE_UNAVAILABLE with the cause and keeps the old value", async () => {
    const storage = new MapStorage();
    const store = createLocalStorageStore({ storage, locks: false });
    await store.set("k", { v: "old" });
    const quota = new DOMException("exceeded the quota", "QuotaExceededError");
    storage.setItem = () => {
      throw quota;
    };
    await expect(store.set("k", { v: "new" })).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE", cause: quota });
    expect(await store.get("k")).toEqual({ v: "old" });
  });
});
