// Properties of the validation that guards every store: normalizeAuthObject
// (beyond packages/core/test/properties.test.ts, which checks "accepted or
// refused with a field" on random input: here one bad field at a time must be
// refused under its own name, in either spelling; the result is stable,
// leaves the input alone and never echoes a token), and namespaces/subjects,
// through to real stores where a namespace that is a prefix of another, or a
// subject with LIKE/glob characters, must never reach the other's sessions.
import {
  createSessionManager,
  isSessionStoreError,
  MAX_TOKEN_LENGTH,
  normalizeAuthObject,
  parseSessionKey,
} from "@sessionstore/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { allBackends } from "./support/backends.js";

const NOW = 1_750_000_000_000;
const secret = fc.string({
  minLength: 12,
  maxLength: 40,
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
});
const validAuth = fc.record(
  {
    accessToken: secret,
    refreshToken: secret,
    expiresIn: fc.integer({ min: 0, max: 10_000_000 }),
    tokenType: fc.constantFrom("bearer", "Bearer"),
    scope: fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 })),
    transferToken: secret,
    ref: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom("user", "app"), id: fc.nat() })),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["accessToken"] },
);

const huge = "h".repeat(MAX_TOKEN_LENGTH + 1);
const notJsonData = fc.constantFrom<unknown>(() => 1, Symbol("s"), new Map(), 1n);
const nonNumericString = fc
  .string({ minLength: 1, maxLength: 10 })
  .filter((text) => !/^\d+(\.\d+)?$/.test(text.trim()));
const badToken = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(""),
  fc.constant(huge),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  notJsonData,
);
const badNumber = (max: number) =>
  fc.oneof(
    fc.boolean(),
    nonNumericString,
    fc.integer({ min: -1_000_000, max: -1 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, max * 10),
    fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
    fc.dictionary(fc.string(), fc.nat(), { maxKeys: 2 }),
  );
const badString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(huge),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const CENTURY_S = 100 * 365 * 24 * 3600;
const MAX_EPOCH_MS = 8.64e15;

// Each known field, both spellings, with values it must refuse.
const badFields: { field: string; spellings: string[]; bad: fc.Arbitrary<unknown> }[] = [
  { field: "accessToken", spellings: ["accessToken", "access_token"], bad: badToken },
  { field: "refreshToken", spellings: ["refreshToken", "refresh_token"], bad: badToken },
  { field: "expiresIn", spellings: ["expiresIn", "expires_in"], bad: badNumber(CENTURY_S) },
  { field: "expiresAt", spellings: ["expiresAt", "expires_at"], bad: badNumber(MAX_EPOCH_MS) },
  { field: "issuedAt", spellings: ["issuedAt", "issued_at"], bad: badNumber(MAX_EPOCH_MS) },
  { field: "refreshExpiresAt", spellings: ["refreshExpiresAt"], bad: badNumber(MAX_EPOCH_MS) },
  { field: "refresh_expires_in", spellings: ["refresh_expires_in"], bad: badNumber(CENTURY_S) },
  { field: "tokenType", spellings: ["tokenType", "token_type"], bad: badString },
  { field: "transferToken", spellings: ["transferToken", "transfer_token"], bad: badString },
  { field: "idToken", spellings: ["idToken", "id_token"], bad: badString },
  {
    field: "scope",
    spellings: ["scope"],
    bad: fc.oneof(fc.integer(), fc.boolean(), fc.constant(huge), fc.constant([1, "a"])),
  },
];

/** Every string of length ≥ 8 inside `value` (the token-like values an error must never echo). */
function secretsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string" && value.length >= 8) found.push(value);
  else if (Array.isArray(value)) for (const entry of value) secretsIn(entry, found);
  else if (typeof value === "object" && value !== null)
    for (const entry of Object.values(value)) secretsIn(entry, found);
  return found;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

describe("property: normalizeAuthObject", () => {
  it("one bad field, in either spelling, is refused under that field's name; no value is echoed", () => {
    fc.assert(
      fc.property(
        validAuth,
        fc.integer({ min: 0, max: badFields.length - 1 }).chain((index) => {
          const spec = badFields[index] as (typeof badFields)[number];
          return fc.tuple(fc.constant(spec.field), fc.constantFrom(...spec.spellings), spec.bad);
        }),
        (auth, [field, spelling, bad]) => {
          const input: Record<string, unknown> = { ...auth, [spelling]: bad };
          // Only the bad spelling may carry the field (camelCase wins over snake_case).
          if (spelling !== field && field in input) delete input[field];
          let refused: unknown;
          try {
            normalizeAuthObject(input, NOW);
          } catch (error) {
            refused = error;
          }
          expect(isSessionStoreError(refused, "ERR_INVALID_AUTH_OBJECT")).toBe(true);
          expect((refused as { field?: string }).field).toBe(field);
          expect((refused as Error).message).toContain(`authObject.${field}`);
          for (const value of secretsIn([auth.accessToken, auth.refreshToken, auth.transferToken, bad]))
            expect((refused as Error).message).not.toContain(value);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("is stable, leaves its (frozen) input alone, and reads snake_case as camelCase", () => {
    fc.assert(
      fc.property(validAuth, fc.integer({ min: 0, max: 4_000_000_000_000 }), (auth, now) => {
        const input = deepFreeze(structuredClone(auth));
        const once = normalizeAuthObject(input, now);
        expect(input).toEqual(auth);
        // Normalising what was stored (later, at another time) changes nothing.
        expect(normalizeAuthObject(once, now + 123_456)).toEqual(once);
        // JSON-safe (compared as text: JSON has no -0, which a caller may hand over in an extra field).
        expect(JSON.stringify(JSON.parse(JSON.stringify(once)))).toBe(JSON.stringify(once));
        const snake: Record<string, unknown> = { ...auth, access_token: auth.accessToken };
        delete snake.accessToken;
        if (auth.refreshToken !== undefined) {
          snake.refresh_token = auth.refreshToken;
          delete snake.refreshToken;
        }
        if (auth.expiresIn !== undefined) {
          snake.expires_in = String(auth.expiresIn);
          delete snake.expiresIn;
        }
        expect(normalizeAuthObject(snake, now)).toEqual(once);
      }),
      { numRuns: 400 },
    );
  });
});

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;
const metacharacters = ["*", "%", "?", "[", "]", "\\", ":", " ", "\n", "\u0000"];
const nameLike = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.string({ unit: fc.constantFrom("a", "B", "7", ".", "-", "_", "@", "é", ...metacharacters), maxLength: 20 }),
  fc.constantFrom<unknown>(undefined, null, 42, "", "a".repeat(65), "a".repeat(257)),
);

describe("property: namespaces and subjects", () => {
  it("are accepted only when inert in every pattern language, else refused naming the field", () => {
    const seen = { accepted: 0, namespace: 0, subject: 0 };
    fc.assert(
      fc.property(nameLike, nameLike, (namespace, subject) => {
        const inert = {
          capabilities: { lock: false, list: false, nativeExpiry: false },
          get: () => undefined,
          set: () => undefined,
          delete: () => false,
          close: () => undefined,
        };
        let stage: "namespace" | "subject" = "namespace";
        let key: string | undefined;
        let scopedNamespace = "";
        let refused: unknown;
        try {
          const manager = createSessionManager(
            inert,
            namespace === undefined ? {} : { namespace: namespace as string },
          );
          stage = "subject";
          const scoped = manager.forSubject(subject as string);
          key = scoped.keyFor("password");
          scopedNamespace = scoped.namespace;
        } catch (error) {
          refused = error;
        }
        if (key !== undefined) {
          expect(parseSessionKey(key)).toEqual({ namespace: scopedNamespace, subject, authType: "password" });
          expect(NAMESPACE.test(scopedNamespace)).toBe(true);
          for (const character of metacharacters) expect(subject as string).not.toContain(character);
          seen.accepted += 1;
          return;
        }
        expect(isSessionStoreError(refused, "ERR_INVALID_ARGUMENT")).toBe(true);
        expect((refused as { field?: string }).field).toBe(stage);
        seen[stage] += 1;
        // Refused for a reason: it really is not an inert name.
        if (stage === "namespace") expect(typeof namespace === "string" && NAMESPACE.test(namespace)).toBe(false);
        else
          expect(
            typeof subject !== "string" ||
              subject.length === 0 ||
              subject.length > 256 ||
              /[:*?[\]%\\\s\p{Cc}]/u.test(subject),
          ).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    // Every outcome really occurs, or the property proves little.
    expect(Math.min(seen.accepted, seen.namespace, seen.subject)).toBeGreaterThan(50);
  });
});

const backends = allBackends();
afterAll(async () => {
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

// Valid names that are prefixes of each other, with `_` `.` `-` that LIKE or a glob could widen.
const namespaceStem = fc.string({ unit: fc.constantFrom("a", "b", "1", ".", "-"), minLength: 0, maxLength: 4 });
const subjectName = fc.string({ unit: fc.constantFrom("u", "_", ".", "-", "@", "é", "1"), minLength: 1, maxLength: 6 });

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  "%s: namespaces stay apart",
  (_name, backend) => {
    it("list() and clear() of one namespace never see or touch another, whatever the names", async () => {
      const store = backend.open();
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          namespaceStem,
          namespaceStem,
          fc.uniqueArray(subjectName, { minLength: 1, maxLength: 3 }),
          async (first, second, subjects) => {
            round += 1;
            // "r<round>z" + stems: valid, never reused by another round ("z" is not in the stems'
            // alphabet), and the short one is a prefix of the long one.
            const short = `r${round}z${first}`;
            const long = `${short}${second || "x"}`;
            const near = createSessionManager(store, { namespace: short });
            const far = createSessionManager(store, { namespace: long });
            for (const subject of subjects) {
              await near.forSubject(subject).set({ accessToken: `near-${subject}` }, "password");
              await far.forSubject(subject).set({ accessToken: `far-${subject}` }, "password");
            }
            const listed = store.capabilities.list ? await near.list() : [];
            if (store.capabilities.list) {
              expect(listed.map((info) => info.subject).sort()).toEqual([...subjects].sort());
              expect(await near.clear()).toBe(subjects.length);
            }
            for (const subject of subjects) {
              if (store.capabilities.list) expect(await near.forSubject(subject).get("password")).toBeUndefined();
              expect(await far.forSubject(subject).get("password")).toMatchObject({ accessToken: `far-${subject}` });
            }
          },
        ),
        { numRuns: 15 },
      );
    }, 30_000);
  },
);
