import { isEmptyAuthObject, MAX_TOKEN_LENGTH, normalizeAuthObject, SessionStoreError } from "@sessionstore/core";
import { describe, expect, it } from "vitest";

const NOW = 1_700_000_000_000;

function refusal(input: unknown): SessionStoreError {
  try {
    normalizeAuthObject(input, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionStoreError);
    return error as SessionStoreError;
  }
  throw new Error("expected normalizeAuthObject to refuse the input");
}

describe("normalizeAuthObject", () => {
  it("accepts OAuth snake_case and stamps expiresAt from expires_in", () => {
    const auth = normalizeAuthObject(
      { access_token: "at", refresh_token: "rt", expires_in: 3600, token_type: "bearer", scope: "a b" },
      NOW,
    );
    expect(auth).toEqual({
      accessToken: "at",
      refreshToken: "rt",
      expiresIn: 3600,
      expiresAt: NOW + 3_600_000,
      tokenType: "bearer",
      scope: "a b",
    });
  });

  it("accepts podio-js's camelCase OAuth class instance and keeps ref and transferToken", () => {
    function OAuth(this: Record<string, unknown>, accessToken: string, refreshToken: string, expiresIn: number) {
      this.accessToken = accessToken;
      this.refreshToken = refreshToken;
      this.expiresIn = expiresIn;
      this.ref = { type: "user", id: 7 };
      this.transferToken = "tt";
      this.scope = "global:all";
    }
    const instance = new (OAuth as unknown as new (...args: unknown[]) => object)("at", "rt", 28800);
    const auth = normalizeAuthObject(instance, NOW);
    expect(auth).toMatchObject({ accessToken: "at", refreshToken: "rt", expiresIn: 28800, transferToken: "tt" });
    expect(auth.ref).toEqual({ type: "user", id: 7 });
    expect(auth.expiresAt).toBe(NOW + 28_800_000);
  });

  it("keeps unknown fields, prefers camelCase over snake_case, and never mutates its input", () => {
    const input = { accessToken: "camel", access_token: "snake", custom: { nested: [1, "x"] } };
    const copy = structuredClone(input);
    const auth = normalizeAuthObject(input, NOW);
    expect(auth.accessToken).toBe("camel");
    expect(auth.custom).toEqual({ nested: [1, "x"] });
    expect(input).toEqual(copy);
  });

  it("reads exactly the eight OAuth snake_case aliases; every other underscore spelling is an extra field", () => {
    const aliases = {
      access_token: "a1",
      refresh_token: "r1",
      expires_in: 60,
      expires_at: 5_000,
      issued_at: 1_000,
      token_type: "bearer",
      transfer_token: "t1",
      id_token: "i1",
    };
    expect(normalizeAuthObject(aliases, NOW)).toEqual({
      accessToken: "a1",
      refreshToken: "r1",
      expiresIn: 60,
      expiresAt: 5_000,
      issuedAt: 1_000,
      tokenType: "bearer",
      transferToken: "t1",
      idToken: "i1",
    });
    // Near misses are not aliases: kept as they are, never read as the known field.
    const extras = {
      refresh_expires_at: 9,
      refreshExpires_at: 9,
      refresh_expiresAt: 9,
      access__token: "x",
      Access_token: "x",
      access_Token: "x",
      _access_token: "x",
      access_token_: "x",
      scope_: "x",
    };
    expect(normalizeAuthObject({ accessToken: "at", ...extras }, NOW)).toEqual({ accessToken: "at", ...extras });
  });

  it("treats fields named like Object.prototype members as data; refuses __proto__", () => {
    const auth = normalizeAuthObject({ accessToken: "at", constructor: "c", toString: "t", hasOwnProperty: 1 }, NOW);
    expect(auth).toEqual({ accessToken: "at", constructor: "c", toString: "t", hasOwnProperty: 1 });
    const parsed = JSON.parse('{"access_token":"at","__proto__":{"accessToken":"smuggled"}}');
    expect(() => normalizeAuthObject(parsed, NOW)).toThrow(expect.objectContaining({ field: "__proto__" }));
  });

  it("keeps an explicit expiresAt and does not stamp one when asked not to", () => {
    expect(normalizeAuthObject({ accessToken: "a", expiresIn: 10, expiresAt: 5 }, NOW).expiresAt).toBe(5);
    expect(
      normalizeAuthObject({ accessToken: "a", expiresIn: 10 }, NOW, { stampExpiry: false }).expiresAt,
    ).toBeUndefined();
  });

  it("reads numeric strings, scope arrays and refresh_expires_in", () => {
    const auth = normalizeAuthObject(
      { access_token: "a", expires_in: "60", scope: ["x", "y"], refresh_expires_in: 120 },
      NOW,
    );
    expect(auth.expiresIn).toBe(60);
    expect(auth.scope).toBe("x y");
    expect(auth.refreshExpiresAt).toBe(NOW + 120_000);
  });

  it("drops a null refresh token (podio client-side tokens have none)", () => {
    expect(normalizeAuthObject({ accessToken: "a", refreshToken: null }, NOW)).not.toHaveProperty("refreshToken");
  });

  it.each([
    [null, "authObject"],
    [undefined, "authObject"],
    ["token", "authObject"],
    [42, "authObject"],
    [["a"], "authObject"],
    [{}, "accessToken"],
    [{ accessToken: "" }, "accessToken"],
    [{ accessToken: 12 }, "accessToken"],
    [{ accessToken: "x".repeat(MAX_TOKEN_LENGTH + 1) }, "accessToken"],
    [{ accessToken: "a", refreshToken: "" }, "refreshToken"],
    [{ accessToken: "a", refreshToken: 5 }, "refreshToken"],
    [{ accessToken: "a", expiresIn: -1 }, "expiresIn"],
    [{ accessToken: "a", expiresIn: Number.NaN }, "expiresIn"],
    [{ accessToken: "a", expiresIn: Number.POSITIVE_INFINITY }, "expiresIn"],
    [{ accessToken: "a", expiresIn: "soon" }, "expiresIn"],
    [{ accessToken: "a", expiresIn: 1e12 }, "expiresIn"],
    [{ accessToken: "a", expiresAt: 1e20 }, "expiresAt"],
    [{ accessToken: "a", tokenType: 1 }, "tokenType"],
    [{ accessToken: "a", scope: 3 }, "scope"],
    [{ accessToken: "a", extra: () => 1 }, "extra"],
    [{ accessToken: "a", extra: 10n }, "extra"],
    [{ accessToken: "a", extra: { deep: Number.NaN } }, "extra.deep"],
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is refused here
    [{ accessToken: "a", extra: { list: [1, , 3] } }, "extra.list[1]"],
    [{ accessToken: "a", extra: [1, Number.POSITIVE_INFINITY] }, "extra[1]"],
    [{ accessToken: "a", extra: [{ kept: "x", map: new Map() }] }, "extra[0].map"],
  ])("refuses bad input #%# naming the field %s", (input, field) => {
    const error = refusal(input);
    expect(error.code).toBe("ERR_INVALID_AUTH_OBJECT");
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it("keeps nested JSON data of an extra field as given, leaving out undefined members", () => {
    const extra = { a: undefined, b: [null, true, 1.5, "s", { c: [] }], d: { e: { f: 0 } } };
    const auth = normalizeAuthObject({ accessToken: "a", extra }, NOW);
    expect(JSON.parse(JSON.stringify(auth.extra))).toEqual({
      b: [null, true, 1.5, "s", { c: [] }],
      d: { e: { f: 0 } },
    });
    expect(auth.extra).toBe(extra);
  });

  it("never puts a token value into an error message", () => {
    const secret = "s3cr3t-refresh-value";
    const error = refusal({ accessToken: "a", refreshToken: secret, expiresIn: "nope" });
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it("recognises podio-js's logout object", () => {
    expect(isEmptyAuthObject({})).toBe(true);
    expect(isEmptyAuthObject({ accessToken: undefined })).toBe(true);
    expect(isEmptyAuthObject({ accessToken: "a" })).toBe(false);
    expect(isEmptyAuthObject(null)).toBe(false);
  });
});
