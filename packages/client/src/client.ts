import { type AuthType, isSessionStoreError, type SessionManager } from "@sessionstore/core";
import { Emitter } from "@sessionstore/core/adapter";
import { parseRedirect, redirectURIOf } from "./auth-flows.js";
import { invalidArgument } from "./errors.js";
import { setUpClient } from "./internal/client-setup.js";
import { deleteIfOtherConfig } from "./internal/config-purge.js";
import * as grants from "./internal/grants.js";
import { apiError, parseBody } from "./internal/http.js";
import { logoutSession } from "./internal/logout.js";
import type { PendingAuthorizations } from "./internal/pending-authorization.js";
import { type AuthorizationConfig, startAuthorization, verifyRedirect } from "./internal/redirect.js";
import type { RefreshDeps } from "./internal/refresh.js";
import { type ApiBase, buildJsonRequest, resolveApiURL } from "./internal/request.js";
import { SessionAccess } from "./internal/session-access.js";
import type { SessionSlot } from "./internal/session-slot.js";
import { requestToken, type TokenEndpointConfig } from "./internal/token-endpoint.js";
import { checkTokenResponse } from "./internal/token-response.js";
import type { ResolvedOptions } from "./options.js";
import type {
  AuthorizationURLOptions,
  LogoutResult,
  PlatformAuthOptions,
  PlatformClientEvents,
  PlatformClientOptions,
  RedirectOptions,
  RequestOptions,
  SessionSummary,
} from "./types.js";

/**
 * An API client that keeps its OAuth session in a store: restores it on
 * construction, refreshes it once (per process, and across processes through
 * the store's lock), retries a request once after a 401, and never loses or
 * leaks a token.
 */
export class PlatformClient {
  /** Resolves when the session has been restored from the store (rejects if the store failed; later calls retry). */
  readonly ready: Promise<void>;
  /** The flow this client signs in with; also which session of the subject it uses. */
  readonly authType: AuthType;
  readonly #options: ResolvedOptions;
  readonly #api: ApiBase;
  readonly #slot: SessionSlot;
  readonly #token: TokenEndpointConfig;
  readonly #refresh: RefreshDeps;
  readonly #authorization: AuthorizationConfig;
  readonly #pending: PendingAuthorizations;
  readonly #events = new Emitter<PlatformClientEvents>();
  readonly #access: SessionAccess;
  #loading: Promise<void>;
  /** Set once a restore has succeeded: `#loading` is then settled for good. */
  #loaded = false;
  #unwatch: (() => void) | undefined;

  constructor(auth: PlatformAuthOptions, options: PlatformClientOptions) {
    const parts = setUpClient(auth, options, this.#events);
    this.authType = parts.authType;
    this.#options = parts.options;
    this.#api = parts.api;
    this.#slot = parts.slot;
    this.#token = parts.token;
    this.#refresh = parts.refresh;
    this.#authorization = parts.authorization;
    this.#pending = parts.pending;
    this.#unwatch = parts.unwatch;
    this.#access = new SessionAccess({
      slot: parts.slot,
      options: parts.options,
      refresh: parts.refresh,
      ensureLoaded: () => this.#ensureLoaded(),
      loaded: () => this.#loaded,
    });
    this.#loading = this.#restore();
    this.ready = this.#loading;
    // `ready` may be ignored: a failed restore must not crash the process; the next call retries it.
    this.ready.catch(() => undefined);
  }

  /** The manager the session lives in (`sessionManager.clear()` revokes every subject's session locally). */
  get sessionManager(): SessionManager {
    return this.#slot.manager;
  }

  /** Starts a restore; the store watch follows changes once it has settled. */
  #restore(): Promise<void> {
    const loading = this.#load();
    this.#slot.restored = loading.catch(() => undefined);
    return loading;
  }

  async #load(): Promise<void> {
    this.#slot.current = await this.#slot.read();
    if (this.#slot.otherConfig) await this.#dropOtherConfig();
    this.#loaded = true;
  }

  /** A session of another configuration is void: delete it (before any sign-in of ours can be written). */
  async #dropOtherConfig(): Promise<void> {
    const lock = { ttlMs: this.#options.lockTtlMs, waitMs: this.#options.lockWaitMs };
    await deleteIfOtherConfig(this.#slot.manager, this.authType, this.#slot.fingerprint, lock);
  }

  async #ensureLoaded(): Promise<void> {
    try {
      await this.#loading;
    } catch {
      this.#loading = this.#restore();
      await this.#loading;
    }
  }

  /** Subscribes to an event. @returns a function that unsubscribes. */
  on<K extends keyof PlatformClientEvents>(event: K, listener: (payload: PlatformClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Whether a usable session exists (re-read from the store, as podio-js did).
   * For the `'client'` type it first accepts a legacy implicit redirect in `location`.
   */
  async isAuthenticated(): Promise<boolean> {
    await this.#ensureLoaded();
    if (this.authType === "client" && globalThis.location?.hash.includes("access_token=")) await this.handleRedirect();
    await this.#slot.flush();
    this.#slot.current = await this.#slot.read();
    const auth = this.#slot.current;
    if (!auth) return false;
    const expired = auth.expiresAt !== undefined && auth.expiresAt <= this.#options.now();
    return !expired || auth.refreshToken !== undefined || this.#refresh.renewal !== undefined;
  }

  /** The current session without its tokens, or `undefined`. */
  async session(): Promise<SessionSummary | undefined> {
    await this.#ensureLoaded();
    return this.#slot.summary();
  }

  /** Resource owner password grant ([RFC 6749 §4.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.3)); `'password'` type. */
  async authenticateWithCredentials(username: string, password: string): Promise<SessionSummary> {
    return this.#grant(grants.passwordGrant(this.authType, username, password));
  }

  /** Client credentials grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)); `'app'` type, platforms that have it. */
  async authenticateWithClientCredentials(): Promise<SessionSummary> {
    return this.#grant(grants.clientCredentialsGrant(this.authType, this.#options));
  }

  /**
   * The platform's app grant, podio-js's `authenticateWithApp` (Podio:
   * `grant_type=app` with `app_id` and `app_token`); `'app'` type, a platform
   * profile with an app grant (`podio()`). Checks its arguments before any request.
   * @throws `ERR_INVALID_ARGUMENT` (field `appId` or `appToken`), `ERR_UNSUPPORTED`.
   */
  async authenticateWithApp(appId: string | number, appToken: string): Promise<SessionSummary> {
    return this.#grant(grants.appGrant(this.authType, this.#options, appId, appToken));
  }

  /**
   * The URL to send the user to (`'server'` and `'client'` types). Synchronous.
   * Creates the `state` (and for `'client'` the PKCE verifier) unless given, and
   * records them in the session store so `handleRedirect` accepts only this
   * request's redirect, once, within `authorizationTtlMs`.
   */
  getAuthorizationURL(redirectURI: string, options: AuthorizationURLOptions = {}): string {
    const started = startAuthorization(this.#authorization, this.#pending, this.#options.now, redirectURI, options);
    // handleRedirect in this process waits for the record; a failed one makes it refuse the redirect.
    started.recorded.catch(() => undefined);
    return started.url;
  }

  /** {@link getAuthorizationURL}, resolved once the request is recorded (rejects when the store failed). */
  async createAuthorizationURL(redirectURI: string, options: AuthorizationURLOptions = {}): Promise<string> {
    const started = startAuthorization(this.#authorization, this.#pending, this.#options.now, redirectURI, options);
    await started.recorded;
    return started.url;
  }

  /** Exchanges an authorization code ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)), with the PKCE verifier if one was used. */
  async getAccessToken(
    code: string,
    redirectURI: string,
    options: { codeVerifier?: string } = {},
  ): Promise<SessionSummary> {
    return this.#grant(grants.codeGrant(this.authType, code, redirectURI, options));
  }

  /**
   * Completes a redirect back from the authorization server: exchanges
   * `?code=` or stores a legacy implicit `#access_token=`, only when its
   * `state` is one `getAuthorizationURL` recorded (used up here) or the
   * `options.state` you kept. Reads `location` when no URL is given, and then
   * removes the parameters from the address bar, accepted or not.
   * @returns whether the URL carried a result.
   * @throws `ERR_REDIRECT` for an error redirect or a state not issued here, expired or used; nothing is stored then.
   */
  async handleRedirect(url?: string, options: RedirectOptions = {}): Promise<boolean> {
    const href = url ?? globalThis.location?.href;
    if (typeof href !== "string") throw invalidArgument("url", "is required outside a browser");
    const result = parseRedirect(href);
    if (result.kind === "none") return false;
    try {
      if (result.kind === "implicit") grants.requireType(this.authType, ["client"], "an implicit redirect");
      const verified = await verifyRedirect(this.#pending, result, href, options ?? {});
      if (result.kind === "code") {
        const { codeVerifier } = verified;
        await this.getAccessToken(
          result.code,
          verified.redirectURI,
          codeVerifier === undefined ? {} : { codeVerifier },
        );
      } else {
        const { state: _state, ...tokens } = result.params;
        await this.#ensureLoaded();
        const saved = await this.#slot.save(checkTokenResponse(tokens, "implicit"));
        this.#events.emit("tokens", { grant: "implicit", session: this.#slot.summary(saved) });
      }
    } finally {
      // A token (or a forged one) must not linger in the address bar or the history.
      if (url === undefined && globalThis.history?.replaceState)
        globalThis.history.replaceState(null, "", redirectURIOf(href));
    }
    return true;
  }

  /**
   * Calls the API with the session's token and returns the parsed JSON (text
   * if not JSON, `undefined` if empty). GET/HEAD send `body`'s fields as the
   * query string. A 401 refreshes once and retries once.
   * @throws `PlatformApiError` (`ERR_API_STATUS`, `ERR_UNAUTHORIZED`, `ERR_SERVER`, `ERR_NETWORK`, `ERR_TIMEOUT` ...).
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    if (typeof method !== "string" || !/^[A-Za-z]+$/.test(method))
      throw invalidArgument("method", "must be an HTTP method");
    const built = buildJsonRequest(resolveApiURL(this.#api, path), method, body, options.headers);
    const { response, text, secrets } = await this.#access.authorized(built.url, built.init, options.signal, true);
    const parsed = parseBody(text, response.headers.get("content-type"));
    if (response.ok) return parsed as T;
    throw apiError(method, built.url, response.status, parsed, secrets);
  }

  /**
   * `fetch` with the session's token attached (only to URLs on `apiURL`'s
   * origin). Non-2xx answers are returned, not thrown. A 401 refreshes once and
   * retries once, unless the body is a stream (it cannot be sent twice).
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = resolveApiURL(this.#api, input instanceof URL ? input.toString() : input);
    const { signal, ...rest } = init;
    return (await this.#access.authorized(url, rest, signal ?? undefined, false)).response;
  }

  /**
   * Revokes the tokens at `revokeURL` when there is one (RFC 7009), then
   * deletes the session from the store, whether revocation worked or not.
   */
  async logout(): Promise<LogoutResult> {
    await this.#ensureLoaded();
    return logoutSession(this.#slot, this.#token, this.#options.revokeURL, this.#refresh.lock, (event, payload) =>
      this.#events.emit(event, payload),
    );
  }

  /**
   * Stops following the store's change reports (see the `'logout'` event's
   * `'elsewhere'` reason). The store is the caller's and stays open.
   */
  close(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  async #grant({ params, name }: grants.GrantRequest): Promise<SessionSummary> {
    try {
      await this.#ensureLoaded();
    } catch (error) {
      // An explicit sign-in replaces a record nobody can read (a key we lack is
      // not that: ERR_DECRYPT still fails, so a misconfigured key never overwrites).
      if (!isSessionStoreError(error, "ERR_CORRUPT_RECORD")) throw error;
    }
    const response = await requestToken(this.#token, params);
    const saved = await this.#slot.save(response);
    const session = this.#slot.summary(saved);
    this.#events.emit("tokens", { grant: name, session });
    return session;
  }
}
