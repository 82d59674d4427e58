import { MAX_TOKEN_LENGTH } from "../normalize.js";
import type { AuthObject } from "../types.js";

// The same bounds as normalize.ts (not exported there). The property test in
// test/canonical-auth.test.ts compares this file with normalizeAuthObject at
// and around these bounds, so a drift fails it.
const MAX_EXPIRES_IN_SECONDS = 100 * 365 * 24 * 3600;
const MAX_EPOCH_MS = 8.64e15;
// normalizeAuthObject's assertJson refuses values nested deeper than this.
const MAX_JSON_DEPTH = 32;

// Keys normalizeAuthObject rewrites (snake_case, refresh_expires_in) or
// treats oddly: names an empty object inherits (`__proto__`, `constructor`,
// `toString`...) hit its prototype lookups. Any of them sends a record down
// the full path.
const PROTOTYPE_PROBE: object = {};
const REWRITTEN = new Set([
  "access_token",
  "refresh_token",
  "expires_in",
  "expires_at",
  "token_type",
  "transfer_token",
  "issued_at",
  "id_token",
  "refresh_expires_in",
]);

// normalizeAuthObject's known fields, in the order it writes them.
const ORDER = [
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
];
const INDEX = new Map(ORDER.map((key, index) => [key, index]));

/** Whether `value` passes normalizeAuthObject's rule for the known field at `index` in ORDER, unchanged. */
function fits(index: number, value: unknown): boolean {
  if (index < 2 || index > 5) {
    // Tokens must not be empty; tokenType, scope, transferToken and idToken may.
    return typeof value === "string" && value.length <= MAX_TOKEN_LENGTH && (index > 1 || value !== "");
  }
  return (
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= 0 &&
    value <= (index === 2 ? MAX_EXPIRES_IN_SECONDS : MAX_EPOCH_MS)
  );
}

/** JSON data as normalizeAuthObject's assertJson accepts it, narrowed to plain objects and dense arrays. */
function isJson(value: unknown, depth: number): boolean {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const entry: unknown = value[index];
      if (entry === undefined || !isJson(entry, depth + 1)) return false;
    }
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    const entry: unknown = (value as Record<string, unknown>)[key];
    if (entry !== undefined && !isJson(entry, depth + 1)) return false;
  }
  return true;
}

/**
 * The fast read path for an auth object already in the form
 * normalizeAuthObject writes (camelCase, numbers as numbers, scope as a
 * string, no undefined or null known fields): checks every field with the
 * same rules and returns a copy equal to what
 * `normalizeAuthObject(input, now, { stampExpiry: false })` returns, key
 * order included. Returns `undefined` for anything else, valid or not, which
 * the caller hands to normalizeAuthObject: so it never accepts what that
 * refuses, and only spares records in our own shape its rewriting.
 */
export function canonicalAuth(input: Record<string, unknown>): AuthObject | undefined {
  // Values of the known fields, by their index in ORDER.
  const known: unknown[] = [];
  const extras: string[] = [];
  for (const key of Object.keys(input)) {
    const value = input[key];
    const index = INDEX.get(key);
    if (index !== undefined) {
      if (!fits(index, value)) return undefined;
      known[index] = value;
    } else if (key in PROTOTYPE_PROBE || REWRITTEN.has(key) || value === undefined || !isJson(value, 0)) {
      return undefined;
    } else {
      extras.push(key);
    }
  }
  if (known[0] === undefined) return undefined;
  // The same key order as normalizeAuthObject: accessToken, extra fields, then the known ones.
  const result: AuthObject = { accessToken: known[0] as string };
  for (const key of extras) result[key] = input[key];
  for (let index = 1; index < ORDER.length; index += 1) {
    if (known[index] !== undefined) result[ORDER[index] as string] = known[index];
  }
  return result;
}
