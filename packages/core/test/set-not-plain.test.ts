// set() with something that is not a plain object used to read as the logout
// signal `{}` (no own fields) and delete the session. Only a plain `{}` (or a
// null-prototype one) logs out; anything else is ERR_INVALID_AUTH_OBJECT naming
// what it got, and the stored session stays as it was. Field values JSON would
// mangle (Map, Date, class instances, NaN, undefined in an array) are refused
// naming the field.
import { describe, expect, it } from "vitest";
import { createMemoryStore, createSessionManager, type SessionManager } from "../src/index.js";

const GOOD = { accessToken: "AT-good", refreshToken: "RT-good", expiresAt: 4_102_444_800_000 };

class WithGetters {
  get accessToken() {
    return "AT-getter";
  }
  get refreshToken() {
    return "RT-getter";
  }
}

const NOT_PLAIN: ReadonlyArray<readonly [string, () => object, RegExp]> = [
  ["a Promise of a good pair", () => Promise.resolve(GOOD), /got a Promise/],
  ["a Map", () => new Map([["accessToken", "AT-map"]]), /got a Map/],
  ["a Date", () => new Date(), /got a Date/],
  ["URLSearchParams", () => new URLSearchParams("access_token=AT-q"), /got a URLSearchParams/],
  ["a class instance with getters", () => new WithGetters(), /instance of WithGetters with no fields of its own/],
  ["Object.create(auth)", () => Object.create(GOOD) as object, /inheriting from another object/],
];

const BAD_FIELDS: ReadonlyArray<readonly [string, object, string]> = [
  ["a Map field", { ...GOOD, extra: { table: new Map() } }, "extra.table"],
  ["a Date field", { ...GOOD, extra: { when: new Date() } }, "extra.when"],
  ["a function field", { ...GOOD, extra: { run: () => undefined } }, "extra.run"],
  ["a class instance field", { ...GOOD, extra: { who: new WithGetters() } }, "extra.who"],
  ["NaN", { ...GOOD, extra: { ratio: Number.NaN } }, "extra.ratio"],
  ["Infinity", { ...GOOD, extra: { ratio: Number.POSITIVE_INFINITY } }, "extra.ratio"],
  ["undefined in an array", { ...GOOD, extra: { list: [1, 2, undefined] } }, "extra.list[2]"],
  ["a Date at the top", { ...GOOD, when: new Date() }, "when"],
];

async function signedIn(): Promise<SessionManager> {
  const manager = createSessionManager(createMemoryStore());
  await manager.set(GOOD, "password");
  return manager;
}

function setWithCallback(manager: SessionManager, authObject: object): Promise<unknown> {
  return new Promise((resolve) => manager.set(authObject, "password", (error) => resolve(error)));
}

describe("set() with an object that is not plain", () => {
  it.each(NOT_PLAIN)("%s: the promise form rejects naming it, the session stays", async (_label, make, named) => {
    const manager = await signedIn();
    const before = await manager.read("password");
    const failure = await manager.set(make(), "password").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "ERR_INVALID_AUTH_OBJECT", field: "authObject" });
    expect(String((failure as Error).message)).toMatch(named);
    expect(await manager.read("password")).toEqual(before);
    expect(await manager.get("password")).toEqual(GOOD);
  });

  it.each(NOT_PLAIN)(
    "%s: the callback gets the error, not null, and the session stays",
    async (_label, make, named) => {
      const manager = await signedIn();
      const before = await manager.read("password");
      const failure = await setWithCallback(manager, make());
      expect(failure).toMatchObject({ code: "ERR_INVALID_AUTH_OBJECT", field: "authObject" });
      expect(String((failure as Error).message)).toMatch(named);
      expect(await manager.read("password")).toEqual(before);
    },
  );

  it("a plain {} and a null-prototype empty object still log out", async () => {
    for (const empty of [{}, Object.create(null) as object]) {
      const manager = await signedIn();
      await manager.set(empty, "password");
      expect(await manager.get("password")).toBeUndefined();
      const other = await signedIn();
      expect(await setWithCallback(other, empty)).toBeNull();
      expect(await other.get("password")).toBeUndefined();
    }
  });

  it("a class instance carrying its fields as its own (podio-js's OAuth) is still stored", async () => {
    class OAuth {
      accessToken = "AT-oauth";
      refreshToken = "RT-oauth";
      expiresIn = 3600;
    }
    const manager = await signedIn();
    await manager.set(new OAuth(), "password");
    expect(await manager.get("password")).toMatchObject({ accessToken: "AT-oauth", refreshToken: "RT-oauth" });
  });

  it("podio-js's own shape is stored: `new` of an anonymous function constructor (lib/PodioOAuth.js)", async () => {
    // podio-js 1.6.1: `module.exports = function(accessToken, refreshToken, ...) { this.accessToken = ... }`.
    const PodioOAuth = [
      function (this: Record<string, unknown>, accessToken: string, refreshToken: string) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.expiresIn = 28800;
      },
    ][0] as unknown as new (
      accessToken: string,
      refreshToken: string,
    ) => object;
    expect(PodioOAuth.name).toBe("");
    const manager = await signedIn();
    await new Promise<void>((resolve, reject) =>
      manager.set(new PodioOAuth("AT-podio", "RT-podio"), "password", (error) =>
        error === null ? resolve() : reject(error),
      ),
    );
    expect(await manager.get("password")).toMatchObject({ accessToken: "AT-podio", refreshToken: "RT-podio" });
  });
});

describe("set() with a field value JSON would mangle", () => {
  it.each(BAD_FIELDS)(
    "%s: refused naming authObject.%s, the session stays (both forms)",
    async (_label, auth, field) => {
      const manager = await signedIn();
      const before = await manager.read("password");
      const rejected = await manager.set(auth, "password").then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(rejected).toMatchObject({ code: "ERR_INVALID_AUTH_OBJECT", field });
      expect(String((rejected as Error).message)).toContain(`authObject.${field}`);
      expect(String((rejected as Error).message)).not.toContain("AT-good");
      const viaCallback = await setWithCallback(manager, auth);
      expect(viaCallback).toMatchObject({ code: "ERR_INVALID_AUTH_OBJECT", field });
      expect(await manager.read("password")).toEqual(before);
    },
  );
});
