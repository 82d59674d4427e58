import { invalidOption } from "./adapter/option-checks.js";
import { SessionStoreError } from "./errors.js";
import {
  EPOCH,
  KNOWN_FIELD_NAMES,
  KNOWN_FIELDS,
  MAX_EPOCH_MS,
  MAX_EXPIRES_IN_SECONDS,
  MAX_TOKEN_LENGTH,
  SCOPE,
  SECONDS,
  TOKEN,
} from "./internal/auth-fields.js";
import { isPlainRecord } from "./internal/json.js";
import type { AuthObject, JsonValue } from "./types.js";

export { MAX_TOKEN_LENGTH };

/** Options for {@link normalizeAuthObject}. */
export interface NormalizeOptions {
  /**
   * Stamp `expiresAt = now + expiresIn * 1000` when `expiresAt` is absent. Turn
   * it off for objects whose issue time is unknown (a podio-style store hands
   * back `expiresIn` only, so its age cannot be known).
   * @default true
   */
  stampExpiry?: boolean;
}

/**
 * The known field `key` spells in OAuth's snake_case (`access_token`, `expires_in`…), if any.
 * Derived rather than listed (the browser bundle carries every name once). `refreshExpiresAt`
 * has no snake alias: `refresh_expires_in` is read on its own below, `refresh_expires_at` is kept as given.
 */
function snakeAlias(key: string): string | undefined {
  if (!key.includes("_")) return undefined;
  const camel = key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return Object.hasOwn(KNOWN_FIELDS, camel) && camel !== "refreshExpiresAt" ? camel : undefined;
}

function invalid(field: string, rule: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_AUTH_OBJECT", `authObject.${field} ${rule}`, { field });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Whether `value` is an object literal's kind: its prototype is Object.prototype or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** What a non-plain object is, for an error (a Promise, a Map, an instance of OAuth). */
function describeObject(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag !== "Object") return `a ${tag}`;
  if (typeof (value as { then?: unknown }).then === "function") return "a thenable";
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `an instance of ${name}`
    : "an object inheriting from another object";
}

/**
 * Why a top-level auth object that is not plain is refused, or undefined when it
 * is taken. A class instance carrying its fields as its own (podio-js's `OAuth`)
 * is taken; a built-in (Promise, Map, Date, URLSearchParams), a thenable, or an
 * object whose fields live only on its prototype (getters, `Object.create(auth)`)
 * is not: it has no own fields, and must not read as the logout signal `{}`.
 */
function notPlainReason(value: Record<string, unknown>): string | undefined {
  if (isPlainObject(value)) return undefined;
  const what = describeObject(value);
  // Built-ins and thenables ("a Map", "a thenable": describeObject's only answers
  // starting "a ", not "an ") are never an auth object. Any other object is taken
  // on its own fields, whatever its prototype: podio-js's `OAuth` is a function
  // constructor whose prototype may not even name it.
  if (what.startsWith("a ")) return what;
  return Object.keys(value).length === 0 ? `${what} with no fields of its own` : undefined;
}

/** One known field, checked by its kind; `undefined` when absent (`null` counts as absent, except for `accessToken`). */
function readField(field: string, value: unknown, kind: number | undefined): unknown {
  if (value === undefined || (value === null && field !== "accessToken")) {
    if (field === "accessToken") throw invalid(field, "is required (a non-empty string)");
    return undefined;
  }
  if (kind === SECONDS || kind === EPOCH) {
    // Some servers send `"expires_in": "3600"`; a numeric string is taken at its word.
    const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    const max = kind === SECONDS ? MAX_EXPIRES_IN_SECONDS : MAX_EPOCH_MS;
    if (typeof number !== "number" || !Number.isFinite(number)) {
      throw invalid(field, `must be a finite number, got ${describe(value)}`);
    }
    if (number < 0) throw invalid(field, "must not be negative");
    if (number > max) throw invalid(field, `must be at most ${max}`);
    return number;
  }
  if (kind === SCOPE && Array.isArray(value) && value.every((entry) => typeof entry === "string")) {
    return value.join(" ");
  }
  if (typeof value !== "string") {
    throw invalid(field, `must be a ${kind === TOKEN ? "non-empty " : ""}string, got ${describe(value)}`);
  }
  if (kind === TOKEN && value.length === 0) throw invalid(field, "must not be empty");
  if (value.length > MAX_TOKEN_LENGTH) throw invalid(field, `must be at most ${MAX_TOKEN_LENGTH} characters`);
  return value;
}

function assertJson(field: string, value: unknown, depth = 0): asserts value is JsonValue {
  if (depth > 32) throw invalid(field, "is nested too deeply");
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(field, "must be a finite number");
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) assertJson(`${field}[${index}]`, entry, depth + 1);
    return;
  }
  if (isPlainRecord(value)) {
    // Map, Date, class instances: JSON would mangle them ({} or a string), not keep them.
    if (!isPlainObject(value)) throw invalid(field, `must be JSON data, got ${describeObject(value)}`);
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) assertJson(`${field}.${key}`, entry, depth + 1);
    }
    return;
  }
  throw invalid(field, `must be JSON data, got ${describe(value)}`);
}

/**
 * Turns what a token endpoint, podio-js or a user hands over into an
 * {@link AuthObject}: accepts camelCase and OAuth snake_case
 * ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1)), keeps
 * unknown fields, stamps `expiresAt` from `expiresIn`, and refuses bad input with
 * `ERR_INVALID_AUTH_OBJECT` naming the field. The input is never modified and
 * no token value ever appears in an error.
 *
 * @param input the object to normalise (plain object or class instance such as podio-js's `OAuth`)
 * @param now the current time, epoch milliseconds
 */
export function normalizeAuthObject(
  input: unknown,
  now: number = Date.now(),
  options: NormalizeOptions = {},
): AuthObject {
  if (!isPlainRecord(input)) {
    throw new SessionStoreError("ERR_INVALID_AUTH_OBJECT", `authObject must be an object, got ${describe(input)}`, {
      field: "authObject",
    });
  }
  const notPlain = notPlainReason(input);
  if (notPlain !== undefined) {
    throw new SessionStoreError("ERR_INVALID_AUTH_OBJECT", `authObject must be a plain object, got ${notPlain}`, {
      field: "authObject",
    });
  }
  if (!Number.isFinite(now)) {
    throw invalidOption("now", "must be a finite number (epoch ms)");
  }
  // Own-key lookups: a field named `constructor` or `toString` is data like any
  // other, never a path into Object.prototype; `__proto__` cannot be kept as data.
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === "__proto__") throw invalid(key, "is not allowed");
    const camel = snakeAlias(key);
    // camelCase wins when both spellings are present.
    if (camel !== undefined) {
      if (!(camel in input) || input[camel] === undefined) fields[camel] = value;
    } else if (key === "refresh_expires_in") {
      const seconds = readField(key, value, SECONDS) as number | undefined;
      if (seconds !== undefined && seconds > 0 && input.refreshExpiresAt === undefined) {
        fields.refreshExpiresAt = Math.round(now + seconds * 1000);
      }
    } else {
      fields[key] = value;
    }
  }

  const known: Record<string, unknown> = {};
  for (const field of KNOWN_FIELD_NAMES) {
    const value = readField(field, fields[field], KNOWN_FIELDS[field]);
    if (value !== undefined) known[field] = value;
  }
  const { expiresIn, issuedAt } = known as { expiresIn?: number; issuedAt?: number };
  if (known.expiresAt === undefined && expiresIn !== undefined && options.stampExpiry !== false) {
    known.expiresAt = Math.round((issuedAt ?? now) + expiresIn * 1000);
  }

  const result: AuthObject = { accessToken: known.accessToken as string };
  for (const key of Object.keys(fields)) {
    if (Object.hasOwn(KNOWN_FIELDS, key)) continue;
    const value = fields[key];
    assertJson(key, value);
    result[key] = value;
  }
  // Known fields last, always in the same order (a stamped expiresAt included).
  for (const key of KNOWN_FIELD_NAMES) if (known[key] !== undefined) result[key] = known[key];
  // `ref` and other extra fields were checked above; `ref: null` is podio-js's default and is kept.
  return result;
}

/**
 * Whether `input` is podio-js's logout signal `set({}, authType)`: a plain (or
 * null-prototype) object with no own fields. A Promise, Map, Date or an object
 * whose fields live on its prototype has no own fields either, but is no logout.
 */
export function isEmptyAuthObject(input: unknown): boolean {
  return isPlainObject(input) && Object.keys(input).every((key) => input[key] === undefined);
}
