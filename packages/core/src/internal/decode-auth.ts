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

/** JSON data (what `normalizeAuthObject` keeps as an extra field), as a yes/no without messages. */
function isJsonData(value: unknown, depth: number): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > 32) return false;
  if (Array.isArray(value)) return value.every((entry) => isJsonData(entry, depth + 1));
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined && !isJsonData(entry, depth + 1)) return false;
  }
  return true;
}

/**
 * The auth object of a stored record, as `normalizeAuthObject(auth, at, {
 * stampExpiry: false })` returns it. Every read comes through here, so the
 * shape the SessionManager writes (camelCase fields already in range, JSON
 * extras) is checked with plain type tests and copied; anything else (snake
 * case, numeric strings, `null`s, a bad value) goes through the full
 * normaliser, which also names the field at fault. The browser build uses
 * the full normaliser only (`decode-auth.browser.ts`), to stay small.
 */
export function decodeAuth(auth: Record<string, unknown>, at: number): AuthObject {
  const extras: string[] = [];
  for (const key in auth) {
    if (!Object.hasOwn(auth, key)) continue;
    const value = auth[key];
    const kind = KNOWN_FIELDS[key];
    if (Object.hasOwn(KNOWN_FIELDS, key) ? !isCanonical(kind, value) : !isPlainExtra(key, value)) {
      return normalizeAuthObject(auth, at, { stampExpiry: false });
    }
    if (!Object.hasOwn(KNOWN_FIELDS, key)) extras.push(key);
  }
  if (typeof auth.accessToken !== "string") return normalizeAuthObject(auth, at, { stampExpiry: false });
  // The order normalizeAuthObject gives: accessToken, the extras as found, then the known fields.
  const result: AuthObject = { accessToken: auth.accessToken };
  for (const key of extras) result[key] = auth[key] as AuthObject[string];
  for (const key of KNOWN_FIELD_NAMES)
    if (auth[key] !== undefined && Object.hasOwn(auth, key)) result[key] = auth[key] as AuthObject[string];
  return result;
}

// Snake-case spellings and `__proto__` are renamed or refused by the normaliser: never "plain".
const NOT_PLAIN =
  /^(?:__proto__|access_token|refresh_token|expires_in|expires_at|token_type|transfer_token|issued_at|id_token|refresh_expires_in)$/;

function isPlainExtra(key: string, value: unknown): boolean {
  return value !== undefined && !NOT_PLAIN.test(key) && isJsonData(value, 1);
}
