import { invalidArgument } from "./errors.js";
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
  const apiURL = url("options.apiURL", options.apiURL).replace(/\/+$/, "");
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
  const scheme = options.authScheme ?? "Bearer";
  if (typeof scheme !== "string" || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(scheme)) {
    throw invalidArgument("options.authScheme", "must be an HTTP auth scheme token such as Bearer");
  }
  return {
    apiURL,
    tokenURL: options.tokenURL === undefined ? `${apiURL}/oauth/token` : url("options.tokenURL", options.tokenURL),
    authorizeURL:
      options.authorizeURL === undefined
        ? `${apiURL}/oauth/authorize`
        : url("options.authorizeURL", options.authorizeURL),
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
  };
}
