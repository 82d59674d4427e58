import { maskSecrets, redactTokens } from "@sessionstore/core";

/**
 * Every code a {@link PlatformApiError} can carry. Branch on `error.code`
 * (a dual ESM/CJS install can load two copies of the class).
 */
export const PLATFORM_ERROR_CODES = {
  /** The API answered a non-2xx status other than 401; see `status`, `oauthError`, `body`. */
  ERR_API_STATUS: "ERR_API_STATUS",
  /**
   * The API answered 401 and a refresh plus one retry did not help (or nothing could be refreshed),
   * or the `shouldRefresh` rule said a refresh cannot fix it (no token call was made).
   */
  ERR_UNAUTHORIZED: "ERR_UNAUTHORIZED",
  /** No session: authenticate first. */
  ERR_NOT_AUTHENTICATED: "ERR_NOT_AUTHENTICATED",
  /** The refresh token was refused (`invalid_grant`) and the session was cleared: sign in again. */
  ERR_SESSION_EXPIRED: "ERR_SESSION_EXPIRED",
  /** The token endpoint refused a grant (wrong password, `invalid_client`, bad code ...); see `oauthError`. */
  ERR_TOKEN_REQUEST: "ERR_TOKEN_REQUEST",
  /** The server answered 5xx or 429; tokens were kept, the next call tries again. */
  ERR_SERVER: "ERR_SERVER",
  /** The connection failed or was cut; tokens were kept, the next call tries again. */
  ERR_NETWORK: "ERR_NETWORK",
  /** No answer within the timeout; tokens were kept, the next call tries again. */
  ERR_TIMEOUT: "ERR_TIMEOUT",
  /** The server answered something that is not a valid token response. */
  ERR_INVALID_RESPONSE: "ERR_INVALID_RESPONSE",
  /**
   * The token endpoint (or an implicit redirect) answered a token response with
   * a malformed `access_token` / `refresh_token` (control characters, spaces),
   * an `expires_in` that is not 0 to 10 years, or a non-string `token_type`.
   * Terminal; nothing was stored (at sign-in the previous session stays).
   */
  ERR_TOKEN_RESPONSE: "ERR_TOKEN_RESPONSE",
  /** A redirect carried an OAuth error, or a `state` this client did not issue, that expired or was used already. */
  ERR_REDIRECT: "ERR_REDIRECT",
  /** An argument or option is not valid; `field` names it. */
  ERR_INVALID_ARGUMENT: "ERR_INVALID_ARGUMENT",
  /** The call does not fit this client's `authType` (e.g. a password sign-in on an `'app'` client). */
  ERR_UNSUPPORTED: "ERR_UNSUPPORTED",
  /** The caller aborted the request through its `signal`. */
  ERR_ABORTED: "ERR_ABORTED",
} as const;

/** A code from {@link PLATFORM_ERROR_CODES}. */
export type PlatformErrorCode = keyof typeof PLATFORM_ERROR_CODES;

/** Options for {@link PlatformApiError}. */
export interface PlatformApiErrorOptions {
  /** HTTP status, when the server answered. */
  status?: number;
  /** The parsed answer body (token-like fields redacted). */
  body?: unknown;
  /** The `error` field of an OAuth / Podio error body (`invalid_grant`, `invalid_token` ...). */
  oauthError?: string;
  /** The request's method and URL (query string removed). */
  request?: string;
  /** Whether the failure is worth retrying later (network, timeout, 5xx, 429). */
  transient?: boolean;
  field?: string;
  cause?: unknown;
  /**
   * The exact secrets the failed operation carried (the access token, the
   * client secret, a refresh token, a password, a code): masked, in every
   * spelling, in the message, body, `oauthError` and `cause` chain.
   */
  secrets?: readonly string[];
}

const TOKEN_FIELD = /token|secret|password|authorization|code_verifier/i;

/** Copies a parsed body with every token-like field replaced, so an error can be logged safely. */
export function redactBody(value: unknown, depth = 0): unknown {
  if (depth > 16 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((entry) => redactBody(entry, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    // Podio's own error fields ("invalid_token", "expired_token") are names, not secrets.
    copy[key] =
      TOKEN_FIELD.test(key) && key !== "error" && key !== "error_description" && typeof entry === "string"
        ? "[redacted]"
        : redactBody(entry, depth + 1);
  }
  return copy;
}

/** A string field of an error body (`error_description`, Podio's `error_detail`), token-like text redacted. */
function bodyText(body: unknown, field: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === "string" ? redactTokens(value) : undefined;
}

/**
 * The one error class of `@sessionstore/client`. Its message, `body`, `cause`
 * and `util.inspect` output never contain a token: token-named body fields are
 * redacted, the exact secrets the request carried are masked wherever the
 * server echoed them, and request headers are never kept.
 */
export class PlatformApiError extends Error {
  readonly code: PlatformErrorCode;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The parsed answer body, token-like fields redacted. */
  readonly body: unknown;
  /** The `error` field of an OAuth / Podio error body. */
  readonly oauthError: string | undefined;
  /** `METHOD url` of the failed request (no query string). */
  readonly request: string | undefined;
  /** Whether retrying later can succeed (tokens were kept). */
  readonly transient: boolean;
  /** The argument at fault, for `ERR_INVALID_ARGUMENT`. */
  readonly field: string | undefined;
  /** The body's `error_description` (OAuth, Podio), when it has one. */
  readonly errorDescription: string | undefined;
  /** The body's `error_detail` (Podio), when it is a string. */
  readonly errorDetail: string | undefined;

  constructor(code: PlatformErrorCode, message: string, options: PlatformApiErrorOptions = {}) {
    const { secrets } = options;
    const cause = maskSecrets(options.cause, secrets);
    super(maskSecrets(message, secrets), cause === undefined ? undefined : { cause });
    this.name = "PlatformApiError";
    this.code = code;
    this.status = options.status;
    this.body = maskSecrets(redactBody(options.body), secrets);
    this.oauthError = maskSecrets(options.oauthError, secrets);
    this.request = options.request;
    this.transient = options.transient ?? false;
    this.field = options.field;
    this.errorDescription = bodyText(this.body, "error_description");
    this.errorDetail = bodyText(this.body, "error_detail");
  }

  /** The safe parts only. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      oauthError: this.oauthError,
      errorDescription: this.errorDescription,
      errorDetail: this.errorDetail,
      request: this.request,
      transient: this.transient,
      body: this.body,
    };
  }
}

/** Type guard by `name` and `code`, so it works across copies of the package. */
export function isPlatformApiError(error: unknown, code?: PlatformErrorCode): error is PlatformApiError {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== "PlatformApiError" || typeof candidate.code !== "string") return false;
  return code === undefined || candidate.code === code;
}

/** Shorthand for argument errors. */
export function invalidArgument(field: string, rule: string): PlatformApiError {
  return new PlatformApiError("ERR_INVALID_ARGUMENT", `${field} ${rule}`, { field });
}
