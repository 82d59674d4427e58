import { type AuthType, createSessionManager, fromLegacyStore, isLegacySessionStore } from "@sessionstore/core";
import { describe, expect, it } from "vitest";

type Callback = (value?: unknown) => void;

/** The store from podio-js's README, in its many real-world dialects. */
function podioStyleStore(dialect: {
  syncGet?: boolean;
  emptyAs?: unknown;
  neverCallsBack?: boolean;
  noCallbackParam?: boolean;
}) {
  const data = new Map<string, unknown>();
  const setImpl = (authObject: object, authType: AuthType, callback?: Callback) => {
    if (Object.keys(authObject).length === 0) data.delete(authType);
    else data.set(authType, JSON.parse(JSON.stringify(authObject)));
    if (!dialect.neverCallsBack && typeof callback === "function") setTimeout(() => callback(), 1);
  };
  return {
    data,
    get(authType: AuthType, callback: Callback) {
      const value = data.has(authType) ? data.get(authType) : dialect.emptyAs;
      if (dialect.syncGet) callback(value);
      else setTimeout(() => callback(value), 1);
    },
    set: dialect.noCallbackParam
      ? (authObject: object, authType: AuthType) => setImpl(authObject, authType)
      : (authObject: object, authType: AuthType, callback?: Callback) => setImpl(authObject, authType, callback),
  };
}

const auth = { accessToken: "at", refreshToken: "rt", expiresIn: 3600, ref: { type: "user", id: 1 } };

describe("fromLegacyStore", () => {
  it.each([
    { name: "sync get, {} for empty", dialect: { syncGet: true, emptyAs: {} } },
    { name: "async get, undefined for empty", dialect: { emptyAs: undefined } },
    { name: "null for empty", dialect: { emptyAs: null } },
    { name: "set without a callback parameter", dialect: { noCallbackParam: true } },
  ])("round-trips a session and a logout ($name)", async ({ dialect }) => {
    const legacy = podioStyleStore(dialect);
    expect(isLegacySessionStore(legacy)).toBe(true);
    const manager = createSessionManager(fromLegacyStore(legacy));
    await expect(manager.get("password")).resolves.toBeUndefined();
    await manager.set(auth, "password");
    expect(legacy.data.get("password")).toMatchObject({ accessToken: "at", refreshToken: "rt" });
    await expect(manager.get("password")).resolves.toMatchObject({ accessToken: "at", ref: { type: "user", id: 1 } });
    await manager.set({}, "password");
    expect(legacy.data.has("password")).toBe(false);
  });

  it("takes a set that declares a callback but never calls it as done after the grace period", async () => {
    const legacy = podioStyleStore({ neverCallsBack: true });
    const manager = createSessionManager(fromLegacyStore(legacy, { setCallbackGraceMs: 20 }));
    await manager.set(auth, "server");
    await expect(manager.get("server")).resolves.toMatchObject({ accessToken: "at" });
  });

  it("does not invent an expiry for a restored podio object (its age is unknown)", async () => {
    const legacy = podioStyleStore({ syncGet: true });
    legacy.data.set("password", { accessToken: "at", refreshToken: "rt", expiresIn: 28800 });
    const restored = await createSessionManager(fromLegacyStore(legacy)).get("password");
    expect(restored).toMatchObject({ expiresIn: 28800 });
    expect(restored?.expiresAt).toBeUndefined();
  });

  it("turns callback errors, throws, rejections and silence into ERR_STORE_UNAVAILABLE", async () => {
    const failing = [
      { get: (_t: AuthType, cb: Callback) => cb(new Error("disk")), set: () => undefined },
      {
        get: () => {
          throw new Error("boom");
        },
        set: () => undefined,
      },
      { get: () => Promise.reject(new Error("nope")), set: () => undefined },
      { get: () => undefined, set: () => undefined },
    ];
    for (const legacy of failing) {
      const manager = createSessionManager(fromLegacyStore(legacy, { getTimeoutMs: 30 }));
      await expect(manager.get("client")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    }
    const badSet = {
      get: (_t: AuthType, cb: Callback) => cb(),
      set: (_a: object, _t: AuthType, cb?: Callback) => cb?.("write failed"),
    };
    await expect(createSessionManager(fromLegacyStore(badSet)).set(auth, "client")).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
    });
  });

  it("accepts a promise-returning store and reports a non-session as ERR_CORRUPT_RECORD", async () => {
    const asyncStore = { get: async () => ({ access_token: "snake" }), set: async () => undefined };
    await expect(createSessionManager(fromLegacyStore(asyncStore)).get("app")).resolves.toMatchObject({
      accessToken: "snake",
    });
    const junk = { get: async () => ({ hello: "world" }), set: async () => undefined };
    await expect(createSessionManager(fromLegacyStore(junk)).get("app")).rejects.toMatchObject({
      code: "ERR_CORRUPT_RECORD",
    });
  });
});
