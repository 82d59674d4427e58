import {
  decodeSession,
  encodeSession,
  isSessionStoreError,
  type JsonObject,
  MAX_TOKEN_LENGTH,
  normalizeAuthObject,
} from "@sessionstore/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalAuth } from "../src/internal/canonical-auth.js";

// normalize.ts' bounds, probed at, just under and just over.
const MAX_EXPIRES_IN_SECONDS = 100 * 365 * 24 * 3600;
const MAX_EPOCH_MS = 8.64e15;
const NOW = 1_700_000_000_000;

const boundaryNumber = fc.constantFrom(
  0,
  -0,
  -1,
  0.5,
  3600,
  MAX_EXPIRES_IN_SECONDS,
  MAX_EXPIRES_IN_SECONDS + 1,
  MAX_EPOCH_MS,
  MAX_EPOCH_MS + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
);
const boundaryString = fc.constantFrom(
  "",
  " ",
  "3600",
  " 3600 ",
  "1.5",
  "x".repeat(MAX_TOKEN_LENGTH),
  "y".repeat(MAX_TOKEN_LENGTH + 1),
);
const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: deep(depth - 1) });
// Values a stored record, a custom adapter or a broken backend could hold.
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 40 }), weight: 6 },
  { arbitrary: fc.nat({ max: 2 ** 48 }), weight: 4 },
  { arbitrary: boundaryNumber, weight: 3 },
  { arbitrary: boundaryString, weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, true, false), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      deep(32),
      deep(33),
      Array.from({ length: 3 }).fill(1, 0, 1),
      new Date(0),
      () => 1,
      10n,
      Symbol("s"),
    ),
    weight: 1,
  },
  { arbitrary: fc.anything(), weight: 1 },
);
const fieldName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
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
    ),
    weight: 8,
  },
  {
    arbitrary: fc.constantFrom(
      "access_token",
      "refresh_token",
      "expires_in",
      "expires_at",
      "token_type",
      "transfer_token",
      "issued_at",
      "id_token",
      "refresh_expires_in",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "ref",
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
);

/** An object with these own enumerable data properties, `__proto__` included (as JSON.parse makes them). */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

// Mostly auth-shaped: a valid access token first, then any fields.
const authLike = fc
  .tuple(
    fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 60 }), weight: 8 }, { arbitrary: anyValue, weight: 1 }),
    fc.array(fc.tuple(fieldName, anyValue), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(([token, fields, tokenFirst]) =>
    objectOf(tokenFirst ? [["accessToken", token], ...fields] : [...fields, ["accessToken", token]]),
  );

function normalized(input: Record<string, unknown>): { ok: true; auth: unknown } | { ok: false } {
  try {
    return { ok: true, auth: normalizeAuthObject(input, NOW, { stampExpiry: false }) };
  } catch {
    return { ok: false };
  }
}

describe("decodeSession's fast path (canonicalAuth) against normalizeAuthObject", () => {
  it("never accepts what normalizeAuthObject refuses, and returns exactly what it returns (values and key order)", () => {
    let accepted = 0;
    let declined = 0;
    fc.assert(
      fc.property(authLike, (input) => {
        const fast = canonicalAuth(input);
        if (fast === undefined) {
          declined += 1;
          return;
        }
        accepted += 1;
        const full = normalized(input);
        expect(full.ok).toBe(true);
        if (!full.ok) return;
        expect(Object.keys(fast)).toEqual(Object.keys(full.auth as object));
        expect(fast).toStrictEqual(full.auth);
        // Same values, not copies: what normalizeAuthObject shares with its input, so does the fast path.
        for (const key of Object.keys(fast)) expect(Object.is(fast[key], (full.auth as JsonObject)[key])).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });

  it("agrees with normalizeAuthObject on every known field at its bounds, one field at a time", () => {
    const known = fc.constantFrom(
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
    );
    const edge = fc.oneof(boundaryNumber, boundaryString, fc.constantFrom(null, undefined, "", "t", ["a"], 1.5));
    fc.assert(
      fc.property(known, edge, (field, value) => {
        const input = objectOf([
          ["accessToken", "at"],
          [field, value],
        ]);
        const fast = canonicalAuth(input);
        const full = normalized(input);
        if (fast !== undefined) expect(full).toStrictEqual({ ok: true, auth: fast });
        // What the fast path leaves to the full one is exactly what that rewrites or refuses.
        else if (full.ok) expect(full.auth).not.toStrictEqual(input);
      }),
      { numRuns: 1000 },
    );
  });

  it("takes every record encodeSession writes (after a JSON round trip), so reads of our own records use it", () => {
    fc.assert(
      fc.property(authLike, (input) => {
        const full = normalized(input);
        if (!full.ok) return;
        const record = JSON.parse(
          JSON.stringify(encodeSession({ auth: full.auth as never, updatedAt: NOW })),
        ) as JsonObject;
        const auth = record.auth as Record<string, unknown>;
        // JSON turns an extra field holding -0 or a nested undefined into something else; still valid.
        const fast = canonicalAuth(auth);
        expect(fast).toStrictEqual(normalizeAuthObject(auth, NOW, { stampExpiry: false }));
      }),
      { numRuns: 1000 },
    );
  });

  it("decodeSession answers exactly as with normalizeAuthObject alone: same session, or ERR_CORRUPT_RECORD", () => {
    fc.assert(
      fc.property(authLike, fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), (auth, fingerprint) => {
        const record = objectOf([
          ["v", 1],
          ["auth", auth],
          ["updatedAt", NOW],
          ...(fingerprint === undefined ? [] : [["fingerprint", fingerprint] as const]),
        ]) as JsonObject;
        const full = normalized(auth);
        let decoded: ReturnType<typeof decodeSession> | undefined;
        let error: unknown;
        try {
          decoded = decodeSession(record, "k");
        } catch (caught) {
          error = caught;
        }
        if (!full.ok) {
          expect(isSessionStoreError(error, "ERR_CORRUPT_RECORD")).toBe(true);
          return;
        }
        expect(error).toBeUndefined();
        expect(decoded?.auth).toStrictEqual(full.auth);
        expect(decoded?.updatedAt).toBe(NOW);
        expect(decoded?.fingerprint).toBe(fingerprint);
      }),
      { numRuns: 2000 },
    );
  });

  it("a canonical record takes the fast path; snake_case, numeric strings, array scope and nulls go through the full one", () => {
    const canonical = {
      accessToken: "at",
      ref: { type: "user", id: 1 },
      refreshToken: "rt",
      expiresIn: 3600,
      expiresAt: NOW + 3_600_000,
      tokenType: "bearer",
      scope: "a b",
    };
    expect(canonicalAuth(canonical)).toStrictEqual(canonical);
    expect(canonicalAuth(canonical)).not.toBe(canonical);
    for (const other of [
      { access_token: "at" },
      { accessToken: "at", expiresIn: "3600" },
      { accessToken: "at", scope: ["a", "b"] },
      { accessToken: "at", refreshToken: null },
      { accessToken: "at", refreshToken: undefined },
      { accessToken: "at", refresh_expires_in: 60 },
      JSON.parse('{"accessToken":"at","__proto__":{"x":1}}') as Record<string, unknown>,
      { accessToken: "at", constructor: 1 },
    ]) {
      expect(canonicalAuth(other)).toBeUndefined();
      // ...and decodeSession still reads the valid ones through normalizeAuthObject.
      const record = { v: 1, auth: other, updatedAt: NOW } as unknown as JsonObject;
      expect(decodeSession(record, "k").auth).toStrictEqual(normalizeAuthObject(other, NOW, { stampExpiry: false }));
    }
  });
});
