/**
 * The Node build's read and write paths (`decodeAuth`, `normalizeForWrite`:
 * a fast path for auth objects already in the shape the normaliser gives)
 * must answer exactly as the full normaliser does: same fields, same order,
 * same refusals. The browser build uses the normaliser itself.
 */
import { normalizeAuthObject } from "@sessionstore/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeAuth as decodeAuthBrowser,
  normalizeForWrite as normalizeForWriteBrowser,
} from "../src/internal/canonical-auth.browser.js";
import { decodeAuth, normalizeForWrite } from "../src/internal/canonical-auth.js";

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

class Instance {
  accessToken = "at";
  refreshToken = "rt";
}

describe("normalizeForWrite (Node write path)", () => {
  it("answers as normalizeAuthObject(input, now) for anything, stamped expiry and key order included", () => {
    fc.assert(
      fc.property(
        authLike,
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (fields, token, now) => {
          const input = { accessToken: token, ...fields };
          const expected = outcome(() => normalizeAuthObject(input, now));
          expect(outcome(() => normalizeForWrite(input, now))).toEqual(expected);
          expect(outcome(() => normalizeForWriteBrowser(input, now))).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("refuses what JSON.parse never gives but a caller can, naming the field as the normaliser does", () => {
    const cases: unknown[] = [
      { accessToken: "at", ref: { when: new Map() } },
      { accessToken: "at", ref: { when: new Date(0) } },
      { accessToken: "at", ref: { list: Object.assign(new Array(3), { 0: 1, 2: 3 }) } },
      { accessToken: "at", ref: { list: [1, undefined] } },
      { accessToken: "at", ref: { deep: { n: Number.POSITIVE_INFINITY } } },
      { accessToken: "at", ref: new Instance() },
      { accessToken: "at", extra: () => 1 },
      { accessToken: "at", extra: 1n },
      Object.assign(Promise.resolve(), { accessToken: "at" }),
      new Map([["accessToken", "at"]]),
      ["at"],
      null,
      "at",
    ];
    for (const input of cases) {
      const expected = outcome(() => normalizeAuthObject(input, AT));
      expect(expected).toHaveProperty("error");
      expect(outcome(() => normalizeForWrite(input, AT))).toEqual(expected);
    }
  });

  it("takes what the normaliser takes beside the fast path: a class instance, undefined fields, snake case, null proto", () => {
    const nullProto = Object.assign(Object.create(null) as object, { accessToken: "at", expiresIn: 60 });
    const cases: unknown[] = [
      new Instance(),
      { accessToken: "at", refreshToken: undefined, expiresIn: 60 },
      { access_token: "at", expires_in: "60", scope: ["a", "b"] },
      { accessToken: "at", expiresIn: 60, issuedAt: AT - 1000 },
      { accessToken: "at", expiresIn: 60, expiresAt: AT + 5 },
      nullProto,
    ];
    for (const input of cases) {
      const expected = outcome(() => normalizeAuthObject(input, AT));
      expect(expected).toHaveProperty("value");
      expect(outcome(() => normalizeForWrite(input, AT))).toEqual(expected);
    }
  });

  it("reads own enumerable fields only, each once, as the normaliser does (Object.entries)", () => {
    const hidden = Object.defineProperty({ accessToken: "at", expiresIn: 60 }, "refreshToken", {
      value: "rt",
      enumerable: false,
    });
    let reads = 0;
    const counted = {
      accessToken: "at",
      get refreshToken() {
        reads += 1;
        return "rt";
      },
    };
    for (const input of [hidden, counted]) {
      const expected = outcome(() => normalizeAuthObject(input, AT));
      expect(expected).toHaveProperty("value");
      reads = 0;
      expect(outcome(() => normalizeForWrite(input, AT))).toEqual(expected);
      expect(outcome(() => decodeAuth(input as Record<string, unknown>, AT))).toEqual(
        outcome(() => normalizeAuthObject(input, AT, { stampExpiry: false })),
      );
    }
    expect(outcome(() => normalizeForWrite(hidden, AT))).not.toHaveProperty("value.refreshToken");
    reads = 0;
    normalizeForWrite(counted, AT);
    expect(reads).toBe(1);
  });

  it("refuses a clock that is not a finite number, as the normaliser does", () => {
    expect(() => normalizeForWrite({ accessToken: "at", expiresIn: 60 }, Number.NaN)).toThrow(/now/);
  });

  it("returns a copy: changing it leaves the caller's object as it was", () => {
    const input = { accessToken: "at", expiresIn: 60, ref: { id: 1 } };
    const written = normalizeForWrite(input, AT);
    expect(written).not.toBe(input);
    expect(written.expiresAt).toBe(AT + 60_000);
    expect(input).toEqual({ accessToken: "at", expiresIn: 60, ref: { id: 1 } });
  });
});
