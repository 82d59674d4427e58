import { invalidArgument } from "./errors.js";
import { type AppGrant, defaultShouldRefresh, isPlatformProfile, type ShouldRefresh } from "./platform.js";
import type { ClientAuthMethod, PlatformAuthOptions, PlatformClientOptions } from "./types.js";

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly apiURL: string;
  readonly tokenURL: string;
  readonly authorizeURL: string;
  readonly revokeURL: string | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly refreshMarginMs: number;
  readonly refreshJitterMs: number;
  readonly timeoutMs: number;
  readonly tokenTimeoutMs: number;
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  readonly authorizationTtlMs: number;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly authScheme: string;
  /** Whether to refresh on a given 401 (the client's option, else the profile's, else RFC 6750's). */
  readonly shouldRefresh: ShouldRefresh;
  /** The platform's app grant (`authenticateWithApp`), when it has one. */
  readonly appGrant: AppGrant | undefined;
  /** Whether `authenticateWithClientCredentials` is offered. */
  readonly clientCredentials: boolean;
  /** The grant that renews an `'app'` session without a refresh token, when there is one. */
  readonly appRenewal: Readonly<Record<string, string>> | undefined;
  /** Session fields kept through a refresh whose answer omits them. */
  readonly keptOnRefresh: readonly string[];
}

function url(field: string, value: unknown): string {
  if (typeof value !== "string" || !URL.canParse(value)) throw invalidArgument(field, "must be an absolute URL");
  const { protocol } = new URL(value);
  if (protocol !== "https:" && protocol !== "http:") throw invalidArgument(field, "must be an http(s) URL");
  return value;
}

function duration(field: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw invalidArgument(field, `must be a finite number of milliseconds >= ${min}`);
  }
  return value;
}

function optionalFunction<T>(field: string, value: unknown): T | undefined {
  if (value !== undefined && typeof value !== "function") throw invalidArgument(field, "must be a function");
  return value as T | undefined;
}

/** Checks the constructor's options and fills in the defaults. */
export function checkOptions(auth: PlatformAuthOptions, options: PlatformClientOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null)
    throw invalidArgument("options", "must be an object with apiURL");
  const profile = options.platform;
  if (profile !== undefined && !isPlatformProfile(profile)) {
    throw invalidArgument("options.platform", "must be made by a platform profile factory such as podio()");
  }
  // Options given to the client win over the profile's.
  const apiURL = url("options.apiURL", options.apiURL ?? profile?.apiURL).replace(/\/+$/, "");
  for (const field of ["clientSecret", "scope", "audience"] as const) {
    if (auth[field] !== undefined && typeof auth[field] !== "string")
      throw invalidArgument(`auth.${field}`, "must be a string");
  }
  const fetchImpl = optionalFunction<typeof globalThis.fetch>("options.fetch", options.fetch) ?? globalThis.fetch;
  if (typeof fetchImpl !== "function")
    throw invalidArgument("options.fetch", "is required: this runtime has no global fetch");
  optionalFunction("options.onTokenWillRefresh", options.onTokenWillRefresh);
  optionalFunction("options.afterTokenRefreshed", options.afterTokenRefreshed);
  const method = options.clientAuthMethod ?? "client_secret_post";
  if (method !== "client_secret_post" && method !== "client_secret_basic") {
    throw invalidArgument("options.clientAuthMethod", "must be 'client_secret_post' or 'client_secret_basic'");
  }
  const scheme = options.authScheme ?? profile?.authScheme ?? "Bearer";
  if (typeof scheme !== "string" || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(scheme)) {
    throw invalidArgument("options.authScheme", "must be an HTTP auth scheme token such as Bearer");
  }
  const shouldRefresh =
    optionalFunction<ShouldRefresh>("options.shouldRefresh", options.shouldRefresh) ??
    profile?.shouldRefresh ??
    defaultShouldRefresh;
  const tokenURL = options.tokenURL ?? profile?.tokenURL;
  const authorizeURL = options.authorizeURL ?? profile?.authorizeURL;
  const appGrant = profile?.appGrant;
  const clientCredentials = profile?.clientCredentials ?? true;
  return {
    apiURL,
    tokenURL: tokenURL === undefined ? `${apiURL}/oauth/token` : url("options.tokenURL", tokenURL),
    authorizeURL: authorizeURL === undefined ? `${apiURL}/oauth/authorize` : url("options.authorizeURL", authorizeURL),
    revokeURL: options.revokeURL === undefined ? undefined : url("options.revokeURL", options.revokeURL),
    // Unbound, a browser's fetch throws "Illegal invocation".
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: optionalFunction<() => number>("options.now", options.now) ?? Date.now,
    refreshMarginMs: duration("options.refreshMarginMs", options.refreshMarginMs, 60_000),
    refreshJitterMs: duration("options.refreshJitterMs", options.refreshJitterMs, 5_000),
    timeoutMs: duration("options.timeoutMs", options.timeoutMs, 30_000, 1),
    tokenTimeoutMs: duration("options.tokenTimeoutMs", options.tokenTimeoutMs, 15_000, 1),
    lockTtlMs: duration("options.lockTtlMs", options.lockTtlMs, 30_000, 1),
    lockWaitMs: duration("options.lockWaitMs", options.lockWaitMs, 35_000),
    authorizationTtlMs: duration("options.authorizationTtlMs", options.authorizationTtlMs, 600_000, 1),
    clientAuthMethod: method,
    authScheme: scheme,
    shouldRefresh,
    appGrant,
    clientCredentials,
    // A session from an app grant cannot be renewed by client credentials: the platform would refuse them.
    appRenewal: clientCredentials && appGrant === undefined ? { grant_type: "client_credentials" } : undefined,
    keptOnRefresh: ["scope", ...(profile?.keptOnRefresh ?? [])],
  };
}
