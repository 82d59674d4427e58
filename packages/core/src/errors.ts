/**
 * Every code a {@link SessionStoreError} can carry. Branch on `error.code`, not on
 * `instanceof`: a dual ESM/CJS install can load two copies of the class.
 */
export const ERROR_CODES = {
  /** An auth object given to `set`/`normalizeAuthObject` is not valid; the message names the field. */
  ERR_INVALID_AUTH_OBJECT: "ERR_INVALID_AUTH_OBJECT",
  /** An argument other than the auth object is not valid (auth type, namespace, subject, option). */
  ERR_INVALID_ARGUMENT: "ERR_INVALID_ARGUMENT",
  /** The backend failed or could not be reached; `cause` holds the backend's error. */
  ERR_STORE_UNAVAILABLE: "ERR_STORE_UNAVAILABLE",
  /** A stored record could not be read back (garbage bytes, wrong shape). */
  ERR_CORRUPT_RECORD: "ERR_CORRUPT_RECORD",
  /** A record could not be decrypted (wrong or missing key, tampered ciphertext). */
  ERR_DECRYPT: "ERR_DECRYPT",
  /** A lock could not be taken within `waitMs`. */
  ERR_LOCK_TIMEOUT: "ERR_LOCK_TIMEOUT",
  /** The store does not offer what was asked (`lock`, `list`). */
  ERR_UNSUPPORTED: "ERR_UNSUPPORTED",
  /** The store was used after `close()`. */
  ERR_STORE_CLOSED: "ERR_STORE_CLOSED",
  /** The session ended and could not be renewed (the server answered `invalid_grant`). */
  ERR_SESSION_EXPIRED: "ERR_SESSION_EXPIRED",
  /** A token could not be revoked at the platform (`revokeAll`): the endpoint refused it or kept failing. */
  ERR_REVOKE_FAILED: "ERR_REVOKE_FAILED",
} as const;

/** A code from {@link ERROR_CODES}. */
export type SessionStoreErrorCode = keyof typeof ERROR_CODES;

/** Options for {@link SessionStoreError}. */
export interface SessionStoreErrorOptions {
  /** The underlying error, chained as `error.cause`. */
  cause?: unknown;
  /** The field or argument at fault, when there is one. */
  field?: string;
}

/**
 * The one error class of `@sessionstore/core` and the adapters. Messages never
 * contain token values; `cause` is kept for debugging but hidden from
 * `JSON.stringify` so a logged error cannot leak a backend's payload.
 */
export class SessionStoreError extends Error {
  /** A stable code from {@link ERROR_CODES}. */
  readonly code: SessionStoreErrorCode;
  /** The field or argument at fault, when there is one. */
  readonly field: string | undefined;

  constructor(code: SessionStoreErrorCode, message: string, options: SessionStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SessionStoreError";
    this.code = code;
    this.field = options.field;
  }

  /** Only the safe parts: name, code, field and message. */
  toJSON(): { name: string; code: SessionStoreErrorCode; field?: string; message: string } {
    return {
      name: this.name,
      code: this.code,
      ...(this.field === undefined ? {} : { field: this.field }),
      message: this.message,
    };
  }
}

/** Type guard: `error` is a {@link SessionStoreError} (by `code`, so it works across copies). */
export function isSessionStoreError(error: unknown, code?: SessionStoreErrorCode): error is SessionStoreError {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== "SessionStoreError" || typeof candidate.code !== "string") return false;
  return code === undefined || candidate.code === code;
}

/**
 * Wraps a backend failure as `ERR_STORE_UNAVAILABLE` unless it is already one of
 * ours (a corrupt record must stay a corrupt record).
 */
export function toStoreError(error: unknown, operation: string): SessionStoreError {
  if (isSessionStoreError(error)) return error;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new SessionStoreError("ERR_STORE_UNAVAILABLE", `store ${operation} failed: ${redactTokens(reason)}`, {
    cause: redactedCopy(error),
  });
}

/**
 * A backend's error, or a copy of it whose text went through
 * {@link redactTokens}: a backend that echoes the record it failed to write
 * would otherwise leak the token through `cause`, which `util.inspect` prints
 * in full. The copy keeps the name, `code` and the (equally redacted) cause
 * chain, so the failure is still debuggable; an error with nothing to mask is
 * chained as it is (same object, same class).
 */
function redactedCopy(error: unknown, depth = 0): unknown {
  if (typeof error === "string") return redactTokens(error);
  if (!(error instanceof Error) || depth > 4) return error;
  const cause = error.cause === undefined ? undefined : redactedCopy(error.cause, depth + 1);
  const stack = error.stack ?? "";
  if (cause === error.cause && redactTokens(error.message) === error.message && redactTokens(stack) === stack) {
    return error;
  }
  const copy = Object.assign(new Error(redactTokens(error.message), { cause }), {
    name: error.name,
    stack: redactTokens(stack),
    code: (error as { code?: unknown }).code,
  });
  return copy;
}

const BEARER = /\b(bearer)\s+[^\s"',;}]+/gi;
const TOKENISH = /((?:access|refresh|id|transfer)[_-]?token|authorization)(["'\s:=]+)(?!bearer\b)([^\s"',;}]+)/gi;

/**
 * Masks anything that looks like a token assignment in a free-text message
 * (backend errors sometimes echo the value they failed to write).
 */
export function redactTokens(text: string): string {
  return text
    .replace(BEARER, "$1 [redacted]")
    .replace(TOKENISH, (_match, name: string, separator: string) => `${name}${separator}[redacted]`);
}
