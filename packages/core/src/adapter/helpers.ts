/**
 * The checks every adapter makes the same way: keys, expiry, lock options and
 * the errors for a closed store and a lock that timed out.
 */
import { SessionStoreError } from "../errors.js";
import type { SetOptions } from "../store.js";
import { invalidOption } from "./option-checks.js";

const LONE_SURROGATE = /\p{Cs}/u;

/** Longest key a store must accept. Keys are `<namespace>:<subject>:<authType>`. */
export const MAX_KEY_LENGTH = 1024;

/**
 * Throws `ERR_INVALID_ARGUMENT` unless `key` is a non-empty, well-formed string (no lone
 * surrogate, no NUL) of at most {@link MAX_KEY_LENGTH} characters.
 */
export function assertStoreKey(key: unknown, field = "key"): asserts key is string {
  if (typeof key !== "string" || key.length === 0) {
    throw invalidOption(field, "must be a non-empty string");
  }
  // Text backends (SQLite, Redis, PostgreSQL) store UTF-8: a lone surrogate becomes
  // U+FFFD there, so two distinct keys would name one record; PostgreSQL text cannot
  // hold NUL at all. Refused for every store, so no backend can merge or choke on a key.
  if (LONE_SURROGATE.test(key) || key.includes("\u0000")) {
    throw invalidOption(field, "must be well-formed text (no lone surrogate, no NUL)");
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidOption(field, `is longer than ${MAX_KEY_LENGTH} characters`);
  }
}

/**
 * Reads `options.expiresAt`, checking it is a finite epoch-millisecond number.
 * @returns the expiry, or `undefined` when the record never expires.
 */
export function readExpiresAt(options: SetOptions | undefined): number | undefined {
  const expiresAt = options?.expiresAt;
  if (expiresAt === undefined) return undefined;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
    throw invalidOption("options.expiresAt", "must be a finite number (epoch ms)");
  }
  return expiresAt;
}

/** Whether a record with this expiry is dead at `now`. */
export function isExpired(expiresAt: number | null | undefined, now: number = Date.now()): boolean {
  return typeof expiresAt === "number" && expiresAt <= now;
}

/** Checks lock options and returns them. */
export function assertLockOptions(options: unknown): { ttlMs: number; waitMs: number } {
  const candidate = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
  for (const field of ["ttlMs", "waitMs"] as const) {
    const value = candidate[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalidOption(`options.${field}`, "must be a non-negative number");
    }
  }
  if ((candidate.ttlMs as number) <= 0) {
    throw invalidOption("options.ttlMs", "must be greater than 0");
  }
  return { ttlMs: candidate.ttlMs as number, waitMs: candidate.waitMs as number };
}

/**
 * Checks the options of `listPage` and returns them. A cursor's content is
 * each store's business; a string the store cannot read is {@link invalidCursorError}.
 */
export function assertListPageOptions(options: unknown): { cursor: string | undefined; limit: number } {
  const candidate = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
  const { cursor, limit } = candidate;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw invalidOption("options.limit", "must be a positive integer");
  }
  if (cursor !== undefined && typeof cursor !== "string") {
    throw invalidOption("options.cursor", "must be a string (a page's cursor)");
  }
  return { cursor, limit };
}

/**
 * The least string above every string that starts with `prefix`, in code
 * point order (UTF-8 byte order: SQLite's BINARY, PostgreSQL's "C", MySQL's
 * binary collations), so a keyset page can scan `[prefix, bound)` of an index
 * and stop at the prefix's end. `undefined` when no string is above (the
 * empty prefix, or one of U+10FFFF only).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()?.codePointAt(0) ?? 0;
    // Surrogates are never in a key (assertStoreKey), so the bound skips over them.
    if (last < 0x10ffff) return points.join("") + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/** The error `listPage` throws for a cursor string this store did not make. */
export function invalidCursorError(): SessionStoreError {
  return invalidOption("options.cursor", "is not a cursor this store returned");
}

/** The error a store throws when used after `close()`. */
export function storeClosedError(): SessionStoreError {
  return new SessionStoreError("ERR_STORE_CLOSED", "the store was closed");
}

/** The error `lock` throws when `waitMs` passed. */
export function lockTimeoutError(key: string, waitMs: number): SessionStoreError {
  return new SessionStoreError("ERR_LOCK_TIMEOUT", `lock "${key}" not acquired within ${waitMs} ms`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A random token identifying one lock holder (WebCrypto: Node and browsers). */
export function randomLockToken(): string {
  return globalThis.crypto.randomUUID();
}
