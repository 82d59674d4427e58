/** A value a function may return directly or as a Promise. Adapters may be sync or async. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * How a session was obtained, as podio-js names it. One session per auth type
 * is kept for each subject.
 */
export type AuthType = "server" | "client" | "password" | "app";

/** Every valid {@link AuthType}, in a stable order. */
export const AUTH_TYPES: readonly AuthType[] = Object.freeze(["server", "client", "password", "app"]);

/** Type guard: `value` is one of {@link AUTH_TYPES}. */
export function isAuthType(value: unknown): value is AuthType {
  return typeof value === "string" && (AUTH_TYPES as readonly string[]).includes(value);
}

/**
 * A session as the SDK hands it over: podio-js's camelCase fields plus ours.
 * Unknown fields given to {@link normalizeAuthObject} are kept as they are.
 */
export interface AuthObject {
  /** The bearer token sent to the API. Never empty. */
  accessToken: string;
  /** Token used to get a new access token; rotates on every refresh on most servers. */
  refreshToken?: string;
  /** Lifetime of the access token in seconds, relative to when it was issued (podio-js). */
  expiresIn?: number;
  /** Absolute expiry of the access token, epoch milliseconds. Stamped from `expiresIn` when absent. */
  expiresAt?: number;
  /** When the token was issued, epoch milliseconds. */
  issuedAt?: number;
  /** Absolute expiry of the refresh token, epoch milliseconds, when the server says. */
  refreshExpiresAt?: number;
  /** Token type, normally `"bearer"` ([RFC 6749 §7.1](https://www.rfc-editor.org/rfc/rfc6749#section-7.1)). */
  tokenType?: string;
  /** Granted scope, space separated. */
  scope?: string;
  /** Podio's reference to what the token grants access to (`{ type, id }`). */
  ref?: unknown;
  /** Podio's transfer token. */
  transferToken?: string;
  /** Any other field is kept. */
  [field: string]: unknown;
}

/** A JSON value: what every store must round-trip unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the unit a {@link SessionStore} moves. */
export type JsonObject = { [key: string]: JsonValue };
