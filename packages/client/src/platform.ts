import { invalidArgument } from "./errors.js";

/**
 * Decides whether a 401 from the API is worth a refresh: `true` refreshes the
 * session once and retries the request once; `false` hands the 401 to the
 * caller (`ERR_UNAUTHORIZED` from `request()`) without any token call.
 *
 * @param response the 401 response (its body already read: do not read it)
 * @param body the parsed body: JSON, text, or `undefined` when empty
 */
export type ShouldRefresh = (response: Response, body: unknown) => boolean;

/**
 * How a platform signs an app in with its own credentials, as Podio's
 * `grant_type=app` with `app_id` and `app_token` does. Sent by
 * `authenticateWithApp(appId, appToken)`.
 */
export interface AppGrant {
  /** The `grant_type` value. */
  readonly grantType: string;
  /** Form field carrying the app id. */
  readonly idParam: string;
  /** Form field carrying the app token (a secret). */
  readonly tokenParam: string;
}

/**
 * What a platform does differently from plain OAuth 2, handed to the client as
 * `options.platform`. Data plus small hooks: the client stays one client.
 * Make one with a factory ({@link definePlatformProfile}, or `podio()`); the
 * client refuses any other object. Options given to the client itself win
 * over the profile's.
 */
export interface PlatformProfile {
  /** A name for messages and docs (`"podio"`). */
  readonly name: string;
  /** Default API base URL. */
  readonly apiURL?: string | undefined;
  /** Default token endpoint. @default `${apiURL}/oauth/token` */
  readonly tokenURL?: string | undefined;
  /** Default authorization endpoint. @default `${apiURL}/oauth/authorize` */
  readonly authorizeURL?: string | undefined;
  /** `Authorization` header scheme. @default "Bearer" */
  readonly authScheme?: string | undefined;
  /** The platform's app grant, when it has one (enables `authenticateWithApp`). */
  readonly appGrant?: AppGrant | undefined;
  /**
   * Whether the platform has the client credentials grant
   * (`authenticateWithClientCredentials`). Only then does an `'app'` session
   * without a refresh token renew itself by asking again.
   */
  readonly clientCredentials: boolean;
  /** The 401 rule. @default {@link defaultShouldRefresh} */
  readonly shouldRefresh?: ShouldRefresh | undefined;
  /**
   * Session fields kept through a refresh whose answer omits them (camelCase
   * names, as stored). `scope` is always kept (RFC 6749 §5.1: an omitted scope
   * is the one granted before).
   */
  readonly keptOnRefresh: readonly string[];
}

/** What {@link definePlatformProfile} takes: a profile without its defaults. */
export type PlatformProfileInit = Omit<PlatformProfile, "clientCredentials" | "keptOnRefresh"> & {
  /** @default true */
  readonly clientCredentials?: boolean;
  /** @default [] */
  readonly keptOnRefresh?: readonly string[];
};

// A registered symbol, so a profile made by another copy of this package
// (dual ESM/CJS install) is still recognised.
const PROFILE_BRAND = Symbol.for("@sessionstore/client.PlatformProfile");

function checkURL(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !URL.canParse(value)) throw invalidArgument(field, "must be an absolute URL");
  const { protocol } = new URL(value);
  if (protocol !== "https:" && protocol !== "http:") throw invalidArgument(field, "must be an http(s) URL");
  return value.replace(/\/+$/, "");
}

function checkString(field: string, value: unknown, pattern = /./): string {
  if (typeof value !== "string" || !pattern.test(value)) throw invalidArgument(field, "must be a non-empty string");
  return value;
}

function checkAppGrant(value: unknown): AppGrant | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) throw invalidArgument("platform.appGrant", "must be an object");
  const grant = value as Record<string, unknown>;
  return Object.freeze({
    grantType: checkString("platform.appGrant.grantType", grant.grantType),
    idParam: checkString("platform.appGrant.idParam", grant.idParam),
    tokenParam: checkString("platform.appGrant.tokenParam", grant.tokenParam),
  });
}

/**
 * Makes a platform profile from its parts, checking each one: a field of the
 * wrong type throws `ERR_INVALID_ARGUMENT` naming it (`platform.apiURL` ...).
 * The result is frozen.
 */
export function definePlatformProfile(init: PlatformProfileInit): PlatformProfile {
  if (typeof init !== "object" || init === null) throw invalidArgument("platform", "must be an object");
  if (init.shouldRefresh !== undefined && typeof init.shouldRefresh !== "function")
    throw invalidArgument("platform.shouldRefresh", "must be a function");
  if (init.clientCredentials !== undefined && typeof init.clientCredentials !== "boolean")
    throw invalidArgument("platform.clientCredentials", "must be a boolean");
  const kept = init.keptOnRefresh ?? [];
  if (!Array.isArray(kept) || !kept.every((field) => typeof field === "string" && field !== ""))
    throw invalidArgument("platform.keptOnRefresh", "must be an array of field names");
  const profile: PlatformProfile = {
    name: checkString("platform.name", init.name),
    apiURL: checkURL("platform.apiURL", init.apiURL),
    tokenURL: checkURL("platform.tokenURL", init.tokenURL),
    authorizeURL: checkURL("platform.authorizeURL", init.authorizeURL),
    authScheme:
      init.authScheme === undefined
        ? undefined
        : checkString("platform.authScheme", init.authScheme, /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/),
    appGrant: checkAppGrant(init.appGrant),
    clientCredentials: init.clientCredentials ?? true,
    shouldRefresh: init.shouldRefresh,
    keptOnRefresh: Object.freeze([...kept]),
  };
  Object.defineProperty(profile, PROFILE_BRAND, { value: true });
  return Object.freeze(profile);
}

/** Whether `value` was made by {@link definePlatformProfile} (or a factory built on it, such as `podio()`). */
export function isPlatformProfile(value: unknown): value is PlatformProfile {
  return (
    typeof value === "object" && value !== null && Object.getOwnPropertyDescriptor(value, PROFILE_BRAND)?.value === true
  );
}

function bearerChallengeError(header: string | null): string | undefined {
  if (header === null) return undefined;
  const bearer = /(?:^|,)\s*Bearer\b(.*)$/i.exec(header);
  if (!bearer) return undefined;
  return /\berror\s*=\s*"?([^",\s]+)"?/i.exec(bearer[1] ?? "")?.[1];
}

/**
 * The generic 401 rule ([RFC 6750 §3.1](https://www.rfc-editor.org/rfc/rfc6750#section-3.1)):
 * a `WWW-Authenticate: Bearer` challenge naming an error decides — refresh for
 * `error="invalid_token"`, not for any other error (`invalid_request`,
 * `insufficient_scope`: a new token would be refused the same way). A 401
 * without such a challenge is refreshed: many APIs answer an expired token
 * with a bare 401, and the cost of a needless refresh is bounded (one token
 * call, one retry).
 */
export function defaultShouldRefresh(response: Response, _body: unknown): boolean {
  const error = bearerChallengeError(response.headers.get("www-authenticate"));
  return error === undefined || error === "invalid_token";
}
