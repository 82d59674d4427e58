// Property: `SessionStore.set` of every real store, given arbitrary keys,
// records and options, either stores what `get` returns (JSON's view of it) or
// refuses with ERR_INVALID_ARGUMENT naming the field, and then nothing is
// stored. Never a crash, never a half-written or unreadable record.
// (packages/core/test/properties.test.ts covers SessionManager.set on the memory store.)
import {
  createSessionManager,
  isSessionStoreError,
  type JsonObject,
  type SessionStore,
  type SetOptions,
} from "@sessionstore/core";
import { MAX_KEY_LENGTH } from "@sessionstore/core/adapter";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { allBackends } from "./support/backends.js";

const backends = allBackends();
afterAll(async () => {
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

// Keys: literal strings, pattern metacharacters and odd Unicode included, sometimes invalid.
const keyPart = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      "*",
      "%",
      "_",
      "?",
      "[",
      "]",
      "\\",
      ":",
      ".",
      "-",
      "a",
      "é",
      "\u{1F600}",
      "'",
      '"',
      " ",
      "\u0001",
    ),
  }),
  // NUL and lone surrogates have tests of their own below: some backends cannot hold them.
  fc.string({ unit: "binary", maxLength: 20 }).filter((text) => !text.includes("\u0000") && !/\p{Cs}/u.test(text)),
);
const badKey = fc.oneof(
  fc.constant(""),
  fc.constant("k".repeat(MAX_KEY_LENGTH + 1)),
  fc.constantFrom<unknown>(null, undefined, 42, {}, ["k"]),
);

// Records: JSON objects mostly, with the values JSON cannot carry now and then.
const hostile = fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, undefined, new Date(0), -0);
const jsonRecord = fc.dictionary(
  fc.string({ maxLength: 12 }),
  fc.oneof({ weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, hostile),
  {
    maxKeys: 6,
  },
);
const notSerialisable = fc.oneof(
  fc.constant<unknown>({ big: 1n }),
  fc.constant<unknown>(
    (() => {
      const cycle: Record<string, unknown> = { a: 1 };
      cycle.self = cycle;
      return cycle;
    })(),
  ),
);
const notAnObject = fc.constantFrom<unknown>(null, undefined, "text", 42, true, [1, 2], []);

const options = fc.oneof(
  { weight: 4, arbitrary: fc.constant<unknown>(undefined) },
  { weight: 2, arbitrary: fc.integer({ min: 60_000, max: 10_000_000 }).map((ms) => ({ deferred: ms })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      {},
      { expiresAt: Number.NaN },
      { expiresAt: "soon" },
      { expiresAt: Number.POSITIVE_INFINITY },
      { expiresAt: null },
    ),
  },
);

let runs = 0;
/** Resolves `{ deferred: ms }` to an expiry from now (fast-check values are generated ahead of time). */
function realOptions(given: unknown): SetOptions | undefined {
  if (typeof given === "object" && given !== null && "deferred" in given) {
    return { expiresAt: Date.now() + (given as { deferred: number }).deferred };
  }
  return given as SetOptions | undefined;
}

/** One `set`, judged: accepted and read back as JSON sees it, or refused naming `fields` with nothing stored. */
async function judgeSet(store: SessionStore, key: unknown, record: unknown, given: unknown, fields: string[]) {
  const setOptions = realOptions(given);
  let refused: unknown;
  try {
    await store.set(key as string, record as JsonObject, setOptions);
  } catch (error) {
    refused = error ?? new Error("rejected with nothing");
  }
  if (refused === undefined) {
    expect(await store.get(key as string)).toEqual(JSON.parse(JSON.stringify(record)));
    return "accepted" as const;
  }
  expect(isSessionStoreError(refused, "ERR_INVALID_ARGUMENT")).toBe(true);
  expect(fields).toContain((refused as { field?: string }).field);
  if (typeof key === "string" && key.length > 0 && key.length <= MAX_KEY_LENGTH) {
    // A key refused on write is refused on read too: either way nothing is there.
    const after = await Promise.resolve()
      .then(() => store.get(key))
      .catch((error: unknown) => {
        if (isSessionStoreError(error, "ERR_INVALID_ARGUMENT")) return undefined;
        throw error;
      });
    expect(after).toBeUndefined();
  }
  return "refused" as const;
}

// Fewer runs on the file store: every accepted set is a locked, fsynced rename.
const RUNS: Record<string, number> = { file: 60, sqlite: 120, redis: 150, "keyv-postgres": 100 };

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s: set", (name, backend) => {
  it("JSON records under arbitrary keys and options: stored as JSON sees them, or refused naming the field", async () => {
    const store = backend.open();
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 8, arbitrary: keyPart }, { weight: 1, arbitrary: badKey }),
        fc.oneof({ weight: 8, arbitrary: jsonRecord }, { weight: 1, arbitrary: notSerialisable }),
        options,
        async (part, record, given) => {
          runs += 1;
          // Fresh keys: "nothing stored" must mean nothing, not an earlier run's record.
          const key = typeof part === "string" && part.length <= 40 ? `p${runs}:${part}` : part;
          seen[await judgeSet(store, key, record, given, ["key", "record", "options.expiresAt"])] += 1;
        },
      ),
      { numRuns: RUNS[name] ?? 60 },
    );
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(3);
  }, 30_000);

  it("a record that is not a JSON object (null, array, string...) is refused, never stored", async () => {
    const store = backend.open();
    await fc.assert(
      fc.asyncProperty(notAnObject, async (record) => {
        runs += 1;
        expect(await judgeSet(store, `np${runs}`, record, undefined, ["record"])).toBe("refused");
      }),
      { numRuns: 20 },
    );
  });
});

// Text backends store UTF-8 (a lone surrogate becomes U+FFFD) and PostgreSQL text
// cannot hold NUL: core refuses both in keys and subjects, for every store.

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  "%s: keys a text backend may not keep",
  (_name, backend) => {
    it("a key containing NUL is stored literally or refused as ERR_INVALID_ARGUMENT naming the key", async () => {
      const store = backend.open();
      runs += 1;
      const outcome = await judgeSet(store, `nul${runs}:a\u0000b`, { v: 1 }, undefined, ["key"]);
      if (outcome === "accepted") expect(await store.get(`nul${runs}:a`)).toBeUndefined();
    });

    it("two keys differing only by a lone surrogate never share a record", async () => {
      const store = backend.open();
      runs += 1;
      const outcome = await judgeSet(store, `sur${runs}:u\uD800`, { owner: "first" }, undefined, ["key"]);
      if (outcome === "accepted") expect(await store.get(`sur${runs}:u\uFFFD`)).toBeUndefined();
    });

    it("through a SessionManager: subjects differing only by a lone surrogate never share a session", async () => {
      runs += 1;
      const sessions = createSessionManager(backend.open(), { namespace: `sur${runs}x` });
      let accepted = true;
      try {
        await sessions.forSubject("mallory\uD800").set({ accessToken: "mallorys-token" }, "password");
      } catch (error) {
        expect((error as { field?: string }).field).toBe("subject");
        accepted = false;
      }
      if (accepted) expect(await sessions.forSubject("mallory\uFFFD").get("password")).toBeUndefined();
    });
  },
);
