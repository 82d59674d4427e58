import {
  AUTH_TYPES,
  type AuthType,
  createMemoryStore,
  createSessionManager,
  isSessionStoreError,
  normalizeAuthObject,
} from "@sessionstore/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Anything a caller, a token endpoint or a broken store might hand over.
const anyValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.double(),
  fc.bigInt(),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constantFrom("x".repeat(65_536), "y".repeat(65_537), "\u{1F600}".repeat(40_000)),
);
// Mostly plausible values with a chance of anything, so both the accept and
// the refuse paths are exercised (checked at the end of the first property).
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: anyValue, weight: 1 });
const authLike = fc.record(
  {
    accessToken: mostly(fc.string({ minLength: 1, maxLength: 200 })),
    access_token: mostly(fc.string({ minLength: 1 })),
    refreshToken: mostly(fc.option(fc.string({ minLength: 1 }), { nil: undefined })),
    refresh_token: anyValue,
    expiresIn: mostly(fc.option(fc.nat({ max: 10_000_000 }), { nil: undefined })),
    expires_in: mostly(fc.nat().map(String)),
    expiresAt: mostly(fc.option(fc.nat(), { nil: undefined })),
    tokenType: mostly(fc.constantFrom("bearer", "Bearer")),
    scope: mostly(fc.oneof(fc.string(), fc.array(fc.string()))),
    ref: mostly(fc.jsonValue()),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

function isAcceptable(result: ReturnType<typeof normalizeAuthObject>): boolean {
  const json = JSON.parse(JSON.stringify(result));
  return (
    typeof result.accessToken === "string" &&
    result.accessToken.length > 0 &&
    (result.expiresAt === undefined || Number.isFinite(result.expiresAt)) &&
    JSON.stringify(json) === JSON.stringify(result)
  );
}

describe("property: normalizeAuthObject accepts valid input or names the field", () => {
  it("never crashes, never returns a half-valid object, always names a field when it refuses", () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(authLike, anyValue), fc.integer({ min: 0, max: 4_000_000_000_000 }), (input, now) => {
        try {
          expect(isAcceptable(normalizeAuthObject(input, now))).toBe(true);
          seen.accepted += 1;
        } catch (error) {
          seen.refused += 1;
          expect(isSessionStoreError(error, "ERR_INVALID_AUTH_OBJECT")).toBe(true);
          expect((error as { field?: string }).field).toBeTruthy();
        }
      }),
      { numRuns: 1_000 },
    );
    // Both paths must really be exercised, or the property proves nothing.
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });
});

describe("property: SessionManager.set stores valid sessions only", () => {
  it("what is stored equals what get returns; a refused set stores nothing", async () => {
    const seen = { stored: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        // Weighted towards plausible input so both outcomes occur often enough for
        // the counts below to hold on every seed (they did not at 1:1).
        fc.oneof({ arbitrary: authLike, weight: 3 }, { arbitrary: anyValue, weight: 1 }),
        fc.constantFrom<AuthType | string>(...AUTH_TYPES, ...AUTH_TYPES, "implicit", "", "PASSWORD"),
        fc.oneof(fc.constantFrom("u1", "user_42", "a@b.c"), fc.string({ maxLength: 8 })),
        async (input, authType, subject) => {
          const store = createMemoryStore();
          let manager: ReturnType<typeof createSessionManager>;
          try {
            manager = createSessionManager(store).forSubject(subject);
          } catch (error) {
            expect(isSessionStoreError(error, "ERR_INVALID_ARGUMENT")).toBe(true);
            return;
          }
          try {
            await manager.set(input as object, authType as AuthType);
          } catch (error) {
            expect(isSessionStoreError(error)).toBe(true);
            expect(["ERR_INVALID_AUTH_OBJECT", "ERR_INVALID_ARGUMENT"]).toContain((error as { code: string }).code);
            expect(store.list("")).toEqual([]);
            seen.refused += 1;
            return;
          }
          const keys = store.list("");
          if (keys.length === 0) return; // `{}`-like input: podio-js's logout
          expect(keys).toHaveLength(1);
          const stored = await manager.get(authType as AuthType);
          expect(stored && isAcceptable(stored)).toBe(true);
          seen.stored += 1;
        },
      ),
      { numRuns: 500 },
    );
    expect(seen.stored).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });
});
