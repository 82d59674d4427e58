import { maskStoreError } from "#internal/store-error-mask";
import { type MaskOptions, maskSecrets, type SecretSource } from "./internal/mask-secrets.js";
import { redactTokens } from "./internal/secret-text.js";

export type { MaskOptions, SecretSource };
export { maskSecrets, redactTokens };

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
 * ours (a corrupt record must stay a corrupt record). Every adapter maps its
 * errors through here, so this is where a backend that echoes what it was
 * given (a driver error quoting the command, `error.sql`, `error.detail`, an
 * `AggregateError`, a rejected non-Error) is made safe: the message, the
 * `cause` chain and every own property are masked for
 * - the exact `secrets` the operation carried (the record handed to `set`, an
 *   auth object, token strings), in every spelling a backend is known to
 *   echo (raw, JSON-escaped once or more, `\/`, `\uxxxx`, URL-encoded, base64);
 * - anything that looks like a token assignment ({@link redactTokens}), for
 *   the reads and calls that carried no secret of their own.
 * One of our own errors is returned as it is, or as a masked copy when it
 * holds one of `secrets`.
 * @param secrets what the operation carried; see {@link maskSecrets}.
 */
export function toStoreError(error: unknown, operation: string, secrets?: SecretSource): SessionStoreError {
  if (isSessionStoreError(error)) return maskStoreError(error, secrets, false);
  const safe = maskStoreError(error, secrets, true);
  const reason = safe instanceof Error ? `${safe.name}: ${safe.message}` : describeValue(safe);
  // Cut after masking, so a cut can never leave half a secret's spelling unmasked.
  const short = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason;
  return new SessionStoreError("ERR_STORE_UNAVAILABLE", `store ${operation} failed: ${short}`, { cause: safe });
}

/** A backend that echoes a whole payload must not make a message of hundreds of kB. */
const MAX_REASON = 1000;

/** A rejection that is not an Error, in a few words (an object would print as `[object Object]`). */
function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
