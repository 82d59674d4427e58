// Property: whatever the token endpoint answers (missing fields, wrong types,
// huge values, non-JSON bodies, lying content types, error statuses), the
// client either accepts it as a valid session, exactly as normalizeAuthObject
// would, or refuses it with a coded error naming the field, stores nothing (on
// sign-in) or keeps the previous pair whole (on refresh), never echoes a token
// in the message, and never crashes the process.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlatformClient } from "@sessionstore/client";
import {
  type AuthObject,
  createSessionManager,
  isSessionStoreError,
  MAX_TOKEN_LENGTH,
  normalizeAuthObject,
  type SessionManager,
} from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { crashSentinel } from "@sessionstore/testkit";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedAnswer, type ScriptedPlatform, startScriptedPlatform } from "./support/scripted-platform.js";

const dir = mkdtempSync(join(tmpdir(), "sessionstore-rel-tokens-"));
const sessions: SessionManager = createSessionManager(
  createSqliteStore({ path: join(dir, "s.db"), purgeIntervalMs: 0 }),
);
let platform: ScriptedPlatform;
const sentinel = crashSentinel();

beforeAll(async () => {
  platform = await startScriptedPlatform();
});
afterAll(async () => {
  await platform.close();
  await sessions.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sentinel.install());
afterEach(async () => {
  expect(await sentinel.uninstall()).toEqual([]);
});

const huge = "t".repeat(MAX_TOKEN_LENGTH + 1);
const secret = fc.string({
  minLength: 16,
  maxLength: 48,
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
});
const tokenValue = fc.oneof(
  { weight: 8, arbitrary: secret },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("", huge, null) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.array(secret, { maxLength: 2 }),
      fc.dictionary(fc.string(), secret, { maxKeys: 1 }),
    ),
  },
);
const numberValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1e20, "soon", "NaN", "1e3", null, true, {}, [3600], " 60 ") },
);
const tokenBody = fc.record(
  {
    access_token: tokenValue,
    refresh_token: tokenValue,
    expires_in: numberValue,
    refresh_expires_in: numberValue,
    token_type: fc.oneof(fc.constant<unknown>("bearer"), fc.constant<unknown>(7), fc.constant<unknown>(huge)),
    scope: fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
      fc.integer(),
    ),
    ref: fc.jsonValue({ maxDepth: 2 }),
    id_token: fc.oneof(secret, fc.integer()),
  },
  { requiredKeys: [] },
);
// Plausible answers too, so acceptance is exercised as much as refusal.
const plausibleBody = fc.record(
  {
    access_token: secret,
    refresh_token: secret,
    expires_in: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }).map(String)),
    token_type: fc.constant("bearer"),
    scope: fc.string({ maxLength: 20 }),
    ref: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["access_token"] },
);
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "text/html",
  undefined,
);

type Generated = ScriptedAnswer & { readonly body?: Record<string, unknown> };
const answer: fc.Arbitrary<Generated> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.oneof(plausibleBody, tokenBody), contentType)
      .map(([body, type]) => ({ status: 200, contentType: type, text: JSON.stringify(body), body })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom(
            "",
            "null",
            "[]",
            "123",
            '"access_token"',
            "<html>502 Bad Gateway</html>",
            '{"access_token":',
            '[{"access_token":"abc"}]',
          ),
        ),
        contentType,
      )
      .map(([text, type]) => ({ status: 200, contentType: type, text })),
  },
);

/**
 * The client's own token-response rules (checked before normalising, terminal
 * `ERR_TOKEN_RESPONSE`): tokens are printable ASCII without spaces, `expires_in`
 * 0 to 10 years (a number or a plain numeric string), `token_type` a string.
 */
function tokenResponseRule(body: Record<string, unknown>): string | undefined {
  const badToken = (value: unknown) =>
    typeof value !== "string" || value.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(value);
  if (badToken(body.access_token)) return "access_token";
  if (body.refresh_token !== undefined && body.refresh_token !== null && badToken(body.refresh_token))
    return "refresh_token";
  const expiresIn = body.expires_in;
  if (expiresIn !== undefined && expiresIn !== null) {
    const seconds =
      typeof expiresIn === "string" && /^\d{1,12}(\.\d{1,6})?$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > 10 * 365 * 24 * 3600)
      return "expires_in";
  }
  if (body.token_type !== undefined && body.token_type !== null && typeof body.token_type !== "string")
    return "token_type";
  return undefined;
}

/** What the client's rules, then normalizeAuthObject, say about a JSON object answer: the oracle the client must agree with. */
function oracle(
  body: Record<string, unknown>,
): { accept: true; auth: AuthObject } | { accept: false; field: string; tokenResponse?: true } {
  if (typeof body.access_token !== "string") return { accept: false, field: "access_token" };
  const broken = tokenResponseRule(body);
  if (broken !== undefined) return { accept: false, field: broken, tokenResponse: true };
  try {
    return { accept: true, auth: normalizeAuthObject(body) };
  } catch (error) {
    return { accept: false, field: String((error as { field?: string }).field) };
  }
}

/** Token-like strings of the answer, which no error message may contain. */
function secretsOf(generated: Generated): string[] {
  const values = generated.body
    ? [generated.body.access_token, generated.body.refresh_token, generated.body.id_token]
    : [];
  return values.filter(
    (value): value is string => typeof value === "string" && value.length >= 16 && value.length < 1_000,
  );
}

/** The refusal, checked: a coded error naming the field, and no token in its message. */
function expectRefusal(error: unknown, generated: Generated): void {
  const expected = generated.body ? oracle(generated.body) : { accept: false as const, field: "access_token" };
  expect(expected.accept).toBe(false);
  if (expected.accept) return;
  if ("tokenResponse" in expected) {
    expect(error).toMatchObject({ name: "PlatformApiError", code: "ERR_TOKEN_RESPONSE", field: expected.field });
  } else if (expected.field === "access_token") {
    expect(error).toMatchObject({ name: "PlatformApiError", code: "ERR_INVALID_RESPONSE" });
    expect((error as Error).message).toContain("access_token");
  } else {
    expect(isSessionStoreError(error, "ERR_INVALID_AUTH_OBJECT")).toBe(true);
    expect((error as { field?: string }).field).toBe(expected.field);
  }
  for (const value of secretsOf(generated)) expect((error as Error).message).not.toContain(value);
}

let subjects = 0;
function client(now: () => number = Date.now): PlatformClient {
  subjects += 1;
  return new PlatformClient(
    { authType: "password", clientId: "c", clientSecret: "s" },
    { apiURL: platform.url, sessionStore: sessions, subject: `u${subjects}`, refreshJitterMs: 0, now },
  );
}

const valid = (accessToken: string, refreshToken: string): ScriptedAnswer => ({
  status: 200,
  contentType: "application/json",
  text: JSON.stringify({
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: 3600,
    token_type: "bearer",
  }),
});

describe("property: token responses seen by the client", () => {
  it("on sign-in: accepted exactly when valid, else refused naming the field, with nothing stored", async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(answer, async (generated) => {
        const signingIn = client();
        platform.answer(generated);
        const outcome = await signingIn.authenticateWithCredentials("demo", "pw").then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const stored = await signingIn.sessionManager.get("password");
        if (outcome.ok) {
          seen.accepted += 1;
          const expected = generated.body ? oracle(generated.body) : undefined;
          expect(expected?.accept).toBe(true);
          // A session without a refresh token that expires within seconds (`expires_in: 0`) is stored
          // with that expiry: on a loaded machine it can be gone by the time it is read back.
          const auth = expected?.accept ? expected.auth : undefined;
          const lapses =
            auth?.refreshToken === undefined && auth?.expiresAt !== undefined && auth.expiresAt - Date.now() < 60_000;
          if (lapses && stored === undefined) return;
          expect(stored?.accessToken).toBe(generated.body?.access_token);
          // What was stored reads back as a valid session (normalising it again changes nothing).
          expect(normalizeAuthObject(stored)).toEqual(stored);
        } else {
          seen.refused += 1;
          expectRefusal(outcome.error, generated);
          expect(stored).toBeUndefined();
        }
      }),
      { numRuns: 250 },
    );
    expect(seen.accepted).toBeGreaterThan(25);
    expect(seen.refused).toBeGreaterThan(25);
  }, 30_000);

  it("on refresh: accepted exactly when valid, else refused with the previous pair kept whole", async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(answer, secret, secret, async (generated, accessToken, refreshToken) => {
        let now = Date.now();
        const refreshing = client(() => now);
        platform.answer(valid(accessToken, refreshToken));
        await refreshing.authenticateWithCredentials("demo", "pw");
        const before = await refreshing.sessionManager.get("password");
        now += 3_700_000;
        platform.answer(generated);
        const outcome = await refreshing.request("GET", "/items/1").then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const stored = await refreshing.sessionManager.get("password");
        if (outcome.ok) {
          seen.accepted += 1;
          expect(stored?.accessToken).toBe(generated.body?.access_token);
          const rotated = generated.body?.refresh_token;
          // A response without a (usable) refresh token keeps the one we had.
          expect(stored?.refreshToken).toBe(typeof rotated === "string" ? rotated : refreshToken);
        } else {
          seen.refused += 1;
          expectRefusal(outcome.error, generated);
          expect(stored).toEqual(before);
          expect(await refreshing.session()).toMatchObject({ refreshable: true });
        }
      }),
      { numRuns: 150 },
    );
    expect(seen.accepted).toBeGreaterThan(15);
    expect(seen.refused).toBeGreaterThan(15);
  }, 30_000);

  it("error statuses with any body: ERR_TOKEN_REQUEST or ERR_SERVER, nothing stored, no token echoed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(400, 401, 403, 429, 500, 502, 503),
        fc.oneof(
          tokenBody.map((body) => JSON.stringify({ error: "invalid_grant", error_description: "refused", ...body })),
          fc.string({ maxLength: 40 }),
        ),
        contentType,
        async (status, text, type) => {
          const signingIn = client();
          platform.answer({ status, contentType: type, text });
          const error = await signingIn.authenticateWithCredentials("demo", "pw").then(
            () => undefined,
            (failure: unknown) => failure,
          );
          expect(error).toMatchObject({
            name: "PlatformApiError",
            code: status >= 500 || status === 429 ? "ERR_SERVER" : "ERR_TOKEN_REQUEST",
            status,
          });
          expect(await signingIn.sessionManager.get("password")).toBeUndefined();
        },
      ),
      { numRuns: 80 },
    );
  });
});
