/**
 * The Node build's read path (`decodeAuth`, a fast path for the shape the
 * SessionManager writes) must answer exactly as the full normaliser does:
 * same fields, same order, same refusals. The browser build uses the
 * normaliser itself.
 */
import { normalizeAuthObject } from "@sessionstore/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAuth as decodeAuthBrowser } from "../src/internal/decode-auth.browser.js";
import { decodeAuth } from "../src/internal/decode-auth.js";

const AT = 1_700_000_000_000;

function outcome(run: () => unknown): { value: unknown; keys: string[] } | { error: string } {
  try {
    const value = run();
    return { value, keys: Object.keys(value as object) };
  } catch (error) {
    return { error: `${(error as { code?: string }).code}: ${(error as Error).message}` };
  }
}

const plausible = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer({ min: -5, max: 2 ** 40 }),
  fc.double(),
  fc.constantFrom(null, true, 0, "", "3600", Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, 4e9),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything(),
);
const fieldName = fc.constantFrom(
  "accessToken",
  "refreshToken",
  "expiresIn",
  "expiresAt",
  "issuedAt",
  "refreshExpiresAt",
  "tokenType",
  "scope",
  "transferToken",
  "idToken",
  "access_token",
  "refresh_expires_in",
  "expires_in",
  "__proto__",
  "ref",
  "constructor",
  "extra",
);
const authLike = fc.dictionary(fieldName, plausible, { maxKeys: 8 });

describe("decodeAuth (Node read path)", () => {
  it("answers as normalizeAuthObject(auth, at, { stampExpiry: false }) for anything, key order included", () => {
    fc.assert(
      fc.property(authLike, fc.string({ minLength: 1, maxLength: 40 }), (fields, token) => {
        // Mostly records as the SessionManager writes them, so the fast path is exercised too.
        const auth = { accessToken: token, ...fields };
        const expected = outcome(() => normalizeAuthObject(auth, AT, { stampExpiry: false }));
        expect(outcome(() => decodeAuth(auth, AT))).toEqual(expected);
        expect(outcome(() => decodeAuthBrowser(auth, AT))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("takes records written by normalizeAuthObject as they are (JSON round trip), a podio ref included", () => {
    const written = normalizeAuthObject(
      {
        access_token: "at-1",
        refresh_token: "rt-1",
        expires_in: 3600,
        token_type: "bearer",
        scope: ["a", "b"],
        ref: { type: "user", id: 42 },
      },
      AT,
    );
    const read = JSON.parse(JSON.stringify(written)) as Record<string, unknown>;
    const decoded = decodeAuth(read, AT);
    expect(decoded).toEqual(written);
    expect(Object.keys(decoded)).toEqual(Object.keys(written));
    // A copy: the caller owns it.
    expect(decoded).not.toBe(read);
  });

  it("refuses a tampered record with the normaliser's error naming the field", () => {
    expect(() => decodeAuth({ accessToken: "at", refreshToken: 7 }, AT)).toThrow(/authObject\.refreshToken/);
    expect(() => decodeAuth({ accessToken: "at", ref: { bad: Number.NaN } }, AT)).toThrow(/authObject\.ref\.bad/);
    expect(() => decodeAuth(JSON.parse('{"accessToken":"at","__proto__":{}}'), AT)).toThrow(/__proto__/);
  });
});
