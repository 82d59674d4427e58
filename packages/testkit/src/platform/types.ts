/** A grant the fake token endpoint understands ([RFC 6749](https://www.rfc-editor.org/rfc/rfc6749)). */
export type GrantType = "password" | "client_credentials" | "authorization_code" | "refresh_token" | "app";

/**
 * Podio mode: the token endpoint takes Podio's `grant_type=app` (`app_id` +
 * `app_token`) instead of client credentials, sign-in answers carry a
 * `transfer_token`, protected routes take only `Authorization: OAuth2`, every
 * 401 is Podio's `{ error, error_description, error_detail }` without a
 * `WWW-Authenticate` challenge, and `ANY /unauthorized` refuses a valid token.
 */
export interface PodioMode {
  /** Registered apps: app id → app token. @default { "1001": "demo-app-token" } */
  readonly apps?: Readonly<Record<string, string>>;
}

/** A registered OAuth client. Without `clientSecret` it is a public client (PKCE required). */
export interface FakeClient {
  readonly clientId: string;
  /** Omit for a public (browser) client. */
  readonly clientSecret?: string;
  /** Allowed redirect URIs for the code and implicit flows; empty allows any `http(s)` URI. @default [] */
  readonly redirectURIs?: readonly string[];
}

/** Where a fault applies. */
export type FaultTarget = "token" | "api" | "revoke";

/**
 * A fault the next matching requests suffer:
 * - `status`: answer `status` (default 503) with a JSON error body, doing nothing else;
 * - `hang`: never answer (the socket stays open until the client gives up or `close()`);
 * - `reset`: destroy the connection without an answer, doing nothing else;
 * - `drop-after-rotation`: do the work (a refresh rotates and is recorded), then
 *   destroy the connection: the client never sees the new pair.
 */
export interface Fault {
  readonly kind: "status" | "hang" | "reset" | "drop-after-rotation";
  /** Which endpoint. @default "token" */
  readonly on?: FaultTarget;
  /** Only token calls of this grant. @default every grant */
  readonly grant?: GrantType;
  /** HTTP status for `kind: "status"`. @default 503 */
  readonly status?: number;
  /** How many matching requests suffer it. @default 1 */
  readonly times?: number;
}

/** How a protected route answers a bad or expired token. */
export type UnauthorizedStyle =
  /** `401 { error: "invalid_token", error_description: "invalid_token" | "expired_token" }` (Podio). */
  | "invalid_token"
  /** `401 { error: "unauthorized", error_description: "expired_token" }`: only the description says it. */
  | "expired_token";

/** Options for `startFakePlatform`. */
export interface FakePlatformOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /**
   * HMAC key for access tokens. Give the same key (and `stateFile`) to a restarted
   * platform and it accepts the tokens it issued before. @default 32 random bytes
   */
  signingKey?: string | Uint8Array;
  /**
   * JSON file holding refresh-token families, codes' absence, revocations and the
   * expiry epoch (never a token: only SHA-256 hashes), written atomically with
   * mode 0600 after every change. @default in memory only
   */
  stateFile?: string;
  /** Registered clients. @default [{ clientId: "demo-client", clientSecret: "demo-secret" }, { clientId: "demo-public" }] */
  clients?: readonly FakeClient[];
  /** Resource owners for the password grant and the authorize page. @default { demo: "demo-password" } */
  users?: Readonly<Record<string, string>>;
  /** Who `/oauth/authorize` signs in (it approves at once). @default the first user */
  authorizeAs?: string;
  /** Access token lifetime in seconds. @default 3600 */
  accessTokenLifetime?: number;
  /** Refresh token lifetime in seconds. @default no expiry */
  refreshTokenLifetime?: number;
  /** Issue a new refresh token on every refresh (rotation). When `false` no `refresh_token` is returned on refresh. @default true */
  rotateRefreshTokens?: boolean;
  /** Revoke the whole family when a rotated refresh token is used again (reuse detection). @default true */
  revokeFamilyOnReuse?: boolean;
  /** Body style of a 401 from protected routes. @default "invalid_token" */
  unauthorizedStyle?: UnauthorizedStyle;
  /** Speak Podio's dialect (see {@link PodioMode}); `true` registers the default app. @default false */
  podio?: boolean | PodioMode;
  /** Delay before every answer, ms. @default 0 */
  latencyMs?: number;
  /** Clock, epoch ms (token expiry is checked against it). @default Date.now */
  now?: () => number;
}

/** Counters of what the platform received. Live: read them at any time. */
export interface FakePlatformStats {
  /** Every request to `/oauth/token`, faulted ones included. */
  tokenCalls: number;
  /** Token calls with `grant_type=refresh_token`. */
  refreshCalls: number;
  /** Token calls per grant type (unknown grants under their own name). */
  byGrant: Record<string, number>;
  /** Token calls answered `invalid_grant`. */
  invalidGrant: number;
  /** Rotated refresh tokens presented again. */
  reuseDetected: number;
  /** Requests to protected API routes. */
  apiCalls: number;
  /** Protected API requests answered 401. */
  apiUnauthorized: number;
  /** Requests to `/oauth/authorize`. */
  authorizeCalls: number;
  /** Requests to `/oauth/revoke`. */
  revokeCalls: number;
  /** Faults applied. */
  faultsInjected: number;
}

/** A running fake platform. */
export interface FakePlatform {
  /** Base URL, `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** `${url}/oauth/token` */
  readonly tokenURL: string;
  /** `${url}/oauth/authorize` */
  readonly authorizeURL: string;
  /** `${url}/oauth/revoke` */
  readonly revokeURL: string;
  readonly stats: FakePlatformStats;
  /** Zeroes every counter. */
  resetStats(): void;
  /** Every access token issued so far is expired from now on (refresh tokens stay valid). */
  expireAccessTokens(): void;
  /** Revokes every refresh token family (and their access tokens): the next refresh is `invalid_grant`. */
  revokeAllRefreshTokens(): void;
  /** Queues a fault. */
  injectFault(fault: Fault): void;
  /** Drops queued faults. */
  clearFaults(): void;
  /** Changes the delay before every answer, ms. */
  setLatency(ms: number): void;
  /** Stops listening and destroys open connections (hung ones too). Safe to call twice. */
  close(): Promise<void>;
}
