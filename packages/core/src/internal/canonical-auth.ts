import { normalizeAuthObject } from "../normalize.js";
import type { AuthObject } from "../types.js";
import {
  EPOCH,
  KNOWN_FIELD_NAMES,
  KNOWN_FIELDS,
  MAX_EPOCH_MS,
  MAX_EXPIRES_IN_SECONDS,
  MAX_TOKEN_LENGTH,
  SCOPE,
  SECONDS,
  STRING,
  TOKEN,
} from "./auth-fields.js";

/** Whether a known field's value is exactly what `normalizeAuthObject` would keep unchanged. */
function isCanonical(kind: number | undefined, value: unknown): boolean {
  if (kind === TOKEN) return typeof value === "string" && value.length > 0 && value.length <= MAX_TOKEN_LENGTH;
  if (kind === STRING || kind === SCOPE) return typeof value === "string" && value.length <= MAX_TOKEN_LENGTH;
  if (kind === SECONDS || kind === EPOCH) {
    return (
      typeof value === "number" && value >= 0 && value <= (kind === SECONDS ? MAX_EXPIRES_IN_SECONDS : MAX_EPOCH_MS)
    );
  }
  return false;
}

/** An object literal's kind (prototype Object.prototype or null): what the normaliser keeps as data. */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * JSON data (what `normalizeAuthObject` keeps as an extra field), as a yes/no
 * without messages. A caller's own object may hold what JSON.parse never gives:
 * a Map or a class instance, an array hole or `undefined` entry, an infinity.
 * Those answer no, and the normaliser then names them.
 */
function isJsonData(value: unknown, depth: number): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > 32) return false;
  if (Array.isArray(value)) {
    // Indexes, not every(): every() skips holes, which the normaliser refuses.
    for (let index = 0; index < value.length; index += 1) {
      if (!isJsonData(value[index], depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined && !isJsonData(entry, depth + 1)) return false;
  }
  return true;
}

// Snake-case spellings and `__proto__` are renamed or refused by the normaliser: never "plain".
const NOT_PLAIN =
  /^(?:__proto__|access_token|refresh_token|expires_in|expires_at|token_type|transfer_token|issued_at|id_token|refresh_expires_in)$/;

function isPlainExtra(key: string, value: unknown): boolean {
  // Every name NOT_PLAIN matches has an underscore: most extras (`ref`) skip the pattern.
  return value !== undefined && !(key.includes("_") && NOT_PLAIN.test(key)) && isJsonData(value, 1);
}

// Each known field's place in KNOWN_FIELD_NAMES (one Map lookup per key: a name is known, or an extra).
const FIELD_INDEX = new Map(KNOWN_FIELD_NAMES.map((name, index) => [name, index]));
const FIELD_KINDS = KNOWN_FIELD_NAMES.map((name) => KNOWN_FIELDS[name]);
const fieldIndex = (name: string) => FIELD_INDEX.get(name) as number;
const FIELD_COUNT = KNOWN_FIELD_NAMES.length;
const ACCESS_TOKEN = fieldIndex("accessToken");
const EXPIRES_IN = fieldIndex("expiresIn");
const EXPIRES_AT = fieldIndex("expiresAt");
const ISSUED_AT = fieldIndex("issuedAt");

/**
 * A copy of `auth` in the normaliser's field order (accessToken, the extras as
 * found, then the known fields) when it is already in the shape the normaliser
 * gives (camelCase fields in range, JSON extras); `undefined` otherwise.
 * `stampAt` adds `expiresAt` from `expiresIn` as a write does. Reads own
 * enumerable fields only, as the normaliser does (Object.entries), each once:
 * every write and every read come through here, so a known field is looked up
 * once by name and then kept by its place.
 */
function canonicalCopy(auth: object, stampAt: number | undefined): AuthObject | undefined {
  if (!isPlainObject(auth)) return undefined;
  const fields = auth as Record<string, unknown>;
  const keys = Object.keys(fields);
  const known = new Array<unknown>(FIELD_COUNT);
  let extras = 0;
  for (const key of keys) {
    const value = fields[key];
    const index = FIELD_INDEX.get(key);
    if (index !== undefined) {
      if (!isCanonical(FIELD_KINDS[index], value)) return undefined;
      known[index] = value;
    } else if (isPlainExtra(key, value)) extras += 1;
    else return undefined;
  }
  const accessToken = known[ACCESS_TOKEN];
  if (typeof accessToken !== "string") return undefined;
  const result: AuthObject = { accessToken };
  if (extras > 0) for (const key of keys) if (!FIELD_INDEX.has(key)) result[key] = fields[key] as AuthObject[string];
  for (let index = 0; index < FIELD_COUNT; index += 1) {
    const value = known[index];
    if (index === ACCESS_TOKEN) continue;
    if (value !== undefined) result[KNOWN_FIELD_NAMES[index] as string] = value as AuthObject[string];
    else if (index === EXPIRES_AT && stampAt !== undefined) {
      const expiresIn = known[EXPIRES_IN];
      if (typeof expiresIn !== "number") continue;
      const issuedAt = known[ISSUED_AT];
      const from = typeof issuedAt === "number" ? issuedAt : stampAt;
      result.expiresAt = Math.round(from + expiresIn * 1000);
    }
  }
  return result;
}

/**
 * The auth object of a stored record, as `normalizeAuthObject(auth, at, {
 * stampExpiry: false })` returns it. Every read comes through here, so the
 * shape the SessionManager writes is checked with plain type tests and
 * copied; anything else (snake case, numeric strings, `null`s, a bad value)
 * goes through the full normaliser, which also names the field at fault. The
 * browser build uses the full normaliser only (`canonical-auth.browser.ts`),
 * to stay small.
 */
export function decodeAuth(auth: Record<string, unknown>, at: number): AuthObject {
  return canonicalCopy(auth, undefined) ?? normalizeAuthObject(auth, at, { stampExpiry: false });
}

/**
 * What `normalizeAuthObject(input, now)` returns, for every write: an auth
 * object already in canonical shape (what an app or the client hands back
 * after a refresh) is copied and stamped without the normaliser's renaming
 * and messages; anything else goes through the normaliser.
 */
export function normalizeForWrite(input: unknown, now: number): AuthObject {
  const copy =
    typeof input === "object" && input !== null && !Array.isArray(input) && Number.isFinite(now)
      ? canonicalCopy(input, now)
      : undefined;
  return copy ?? normalizeAuthObject(input, now);
}
