import type {
  AuthObject,
  AuthType,
  Awaitable,
  LegacySessionStore,
  SessionManager,
  SessionStore,
  SessionStoreError,
} from "@sessionstore/core";
import type { PlatformApiError } from "./errors.js";
import type { ObservabilityOptions } from "./observability.js";
import type { PlatformProfile, ShouldRefresh } from "./platform.js";

/** Who the client is, and how it signs in (the first constructor argument). */
export interface PlatformAuthOptions {
  /**
   * The flow, as podio-js names it: `'password'` (username + password),
   * `'app'` (client credentials, or the platform's app grant such as Podio's
   * `authenticateWithApp`), `'server'` (authorization code, confidential
   * client), `'client'` (browser: authorization code + PKCE, or a legacy
   * implicit redirect). One session per auth type is kept per subject.
   */
  authType: AuthType;
  /** The OAuth client id. Part of the config fingerprint. */
  clientId: string;
  /** Omit for a public client (the `'client'` type in a browser). */
  clientSecret?: string;
  /** Space-separated scope sent with every grant. Part of the config fingerprint. */
  scope?: string;
  /** `audience` parameter sent with every grant (Auth0 style). Part of the config fingerprint. */
  audience?: string;
}

/** How the client authenticates at the token endpoint ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)). */
export type ClientAuthMethod = "client_secret_post" | "client_secret_basic";

/** Options (the second constructor argument); `tracerProvider`, `meterProvider` and `logger` come from {@link ObservabilityOptions}. */
export interface PlatformClientOptions extends ObservabilityOptions {
  /**
   * Base URL of the API, e.g. `https://api.example.com`. Paths given to `request` are relative to it.
   * Required unless `platform` gives one (an explicit `apiURL` wins over the profile's).
   * @default the platform profile's `apiURL`
   */
  apiURL?: string;
  /**
   * What the platform does differently from plain OAuth 2 (`podio()` for
   * Podio): default URLs, header scheme, extra grants, the 401 rule. Only a
   * profile made by a factory is accepted. Every option given here explicitly
   * (`apiURL`, `tokenURL`, `authorizeURL`, `authScheme`, `shouldRefresh`) wins over it.
   * @default none (plain OAuth 2)
   */
  platform?: PlatformProfile;
  /**
   * Where sessions live: a `SessionManager`, a bare `SessionStore`, or a
   * podio-js style `{ get(authType, cb), set(auth, authType, cb) }` object.
   * @default an in-memory store (nothing survives the process)
   */
  sessionStore?: SessionManager | SessionStore | LegacySessionStore;
  /** @default `${apiURL}/oauth/token` */
  tokenURL?: string;
  /** @default `${apiURL}/oauth/authorize` */
  authorizeURL?: string;
  /** RFC 7009 revocation endpoint used by `logout()`. @default none (logout only deletes locally) */
  revokeURL?: string;
  /**
   * Says that only this one process uses the store. A client whose store
   * cannot lock across processes (`capabilities.lock` false: a plain Keyv
   * store, a podio-style store) otherwise warns once — a `'warning'` event and
   * `process.emitWarning` with code `SESSIONSTORE_NO_CROSS_PROCESS_LOCK` —
   * because processes sharing such a store can refresh at the same time and,
   * with rotating refresh tokens, lose the session.
   * @default false
   */
  singleProcess?: boolean;
  /** Whose session this client uses (a user or integration id): the store key's subject. @default the manager's subject ("default") */
  subject?: string;
  /** `fetch` implementation. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Refresh this long before the access token expires (capped at half its lifetime). @default 60000 */
  refreshMarginMs?: number;
  /** Up to this much extra margin, random per token, so processes sharing a token do not all refresh at once. @default 5000 */
  refreshJitterMs?: number;
  /** Clock, epoch ms. Inject it in tests instead of sleeping. @default Date.now */
  now?: () => number;
  /** Timeout for API requests, ms. @default 30000 */
  timeoutMs?: number;
  /** Timeout for token endpoint calls, ms (keep it below `lockTtlMs`). @default 15000 */
  tokenTimeoutMs?: number;
  /** Lease of the store lock taken around a refresh, ms. @default 30000 */
  lockTtlMs?: number;
  /** How long to wait for another process's refresh lock, ms. @default 35000 */
  lockWaitMs?: number;
  /**
   * How long an authorization request (`getAuthorizationURL`) waits for its
   * redirect, ms; a later redirect is refused. @default 600000 (10 minutes)
   */
  authorizationTtlMs?: number;
  /** How the client secret is sent. @default "client_secret_post" */
  clientAuthMethod?: ClientAuthMethod;
  /** Authorization header scheme (`"OAuth2"` is what podio-js sends). @default the profile's, else "Bearer" */
  authScheme?: string;
  /**
   * Whether a 401 from the API is worth one refresh and one retry; `false`
   * rejects at once (`ERR_UNAUTHORIZED`) without a token call.
   * @default the profile's rule, else `defaultShouldRefresh` (RFC 6750)
   */
  shouldRefresh?: ShouldRefresh;
  /** Called (and awaited) before the token endpoint is asked for a new token. podio-js style. */
  onTokenWillRefresh?: (info: RefreshInfo) => Awaitable<void>;
  /** Called (and awaited) with the new session after a refresh was persisted. podio-js style. */
  afterTokenRefreshed?: (auth: AuthObject) => Awaitable<void>;
}

/** Why a refresh happens. */
export interface RefreshInfo {
  readonly authType: AuthType;
  /** `'expiring'`: within the margin of `expiresAt`; `'unauthorized'`: the API answered 401. */
  readonly trigger: "expiring" | "unauthorized";
}

/** A session as the client shows it: never a token value. */
export interface SessionSummary {
  readonly authType: AuthType;
  readonly subject: string;
  /** Access token expiry, epoch ms, when known. */
  readonly expiresAt?: number;
  /** Whether a refresh token is held. */
  readonly refreshable: boolean;
  readonly scope?: string;
}

/** Options for `request`. */
export interface RequestOptions {
  /** Extra headers (an `authorization` header here is ignored: the client sets it). */
  headers?: Record<string, string>;
  /** Abort the request (and its retry). */
  signal?: AbortSignal;
}

/** Options for `getAuthorizationURL`. */
export interface AuthorizationURLOptions {
  /**
   * Anti-CSRF value echoed back on the redirect (8+ unguessable characters).
   * @default a new one from `createState()`, recorded for `handleRedirect`
   */
  state?: string;
  /**
   * PKCE verifier; its S256 challenge is sent. @default for the `'client'`
   * type's code flow, a new one from `createCodeVerifier()`, recorded for
   * `handleRedirect`; none for `'server'`
   */
  codeVerifier?: string;
  /** `'token'` asks for a legacy implicit redirect (`'client'` only; no refresh token). @default "code" */
  responseType?: "code" | "token";
  /** Extra request parameters (`prompt`, `login_hint` ...); they cannot replace the ones the client sets. @default {} */
  params?: Record<string, string>;
}

/** Options for `handleRedirect`. */
export interface RedirectOptions {
  /**
   * The `state` you kept yourself. A redirect whose state differs is refused.
   * @default the redirect must carry a state that `getAuthorizationURL` recorded, unexpired and unused
   */
  state?: string;
  /** The PKCE verifier you kept yourself (code flow). @default the one recorded with the state */
  codeVerifier?: string;
  /** The redirect URI you sent. @default the one recorded with the state, else the URL without its query and fragment */
  redirectURI?: string;
}

/** What `logout()` did. */
export interface LogoutResult {
  /** Whether the server confirmed the revocation (false when no `revokeURL`). */
  readonly revoked: boolean;
  /** Why revocation failed, when it did (the local session is deleted anyway). */
  readonly revokeError?: PlatformApiError;
}

/** Events of a {@link PlatformClient}; every one fires after the store write it reports has finished. */
export interface PlatformClientEvents {
  /** New tokens from a sign-in (password, client_credentials, app, code, implicit). */
  tokens: { readonly grant: string; readonly session: SessionSummary };
  /**
   * The session was renewed: by us (`adopted: false`) or by another
   * process/tab/instance whose new pair we adopted — found when refreshing,
   * or reported by the store (`trigger: 'watch'`).
   */
  refresh: {
    readonly adopted: boolean;
    readonly trigger: RefreshInfo["trigger"] | "watch";
    readonly session: SessionSummary;
  };
  /**
   * A refresh failed. `transient` (network, timeout, 5xx, lock wait): tokens
   * kept, the next call retries. `terminal`: the server refused; `cleared`
   * says whether the session was deleted (only for `invalid_grant` nobody else
   * had already recovered from).
   */
  refreshFailed: {
    readonly reason: "transient" | "terminal";
    readonly cleared: boolean;
    readonly error: PlatformApiError | SessionStoreError;
  };
  /**
   * The session ended: `logout()` (`'logout'`), a refused refresh
   * (`'invalid_grant'`), or — on a store that reports changes
   * (`capabilities.watch`) — deleted by another tab or instance (`'elsewhere'`).
   */
  logout: { readonly reason: "logout" | "invalid_grant" | "elsewhere"; readonly revoked: boolean };
  /**
   * Something about the setup that can lose sessions, said once per client
   * (after the constructor returns): `SESSIONSTORE_NO_CROSS_PROCESS_LOCK` when
   * the store cannot lock across processes (see `singleProcess`).
   */
  warning: { readonly code: string; readonly message: string };
}
