import { invalidArgument } from "../errors.js";
import { definePlatformProfile, type PlatformProfile } from "../platform.js";

/** Podio's public API, podio-js's default. */
export const PODIO_API_URL = "https://api.podio.com";
/** Podio's web authorization page, where podio-js sent users. */
export const PODIO_AUTHORIZE_URL = "https://podio.com/oauth/authorize";

/** Options of {@link podio}. */
export interface PodioOptions {
  /** The API base URL. @default "https://api.podio.com" */
  apiURL?: string;
  /**
   * The authorization page. @default `https://podio.com/oauth/authorize` for
   * Podio's API; otherwise `apiURL`'s host without a leading `api.` label
   * (as podio-js derived it), path `/oauth/authorize`.
   */
  authorizeURL?: string;
}

const OPTION_NAMES: readonly string[] = ["apiURL", "authorizeURL"];
// Podio names the reason for a 401 in `error` or, for an expired token, in `error_description`.
const TOKEN_ERRORS: readonly string[] = ["invalid_token", "expired_token"];

/**
 * Podio's 401 rule: refresh only when the body says the token is at fault —
 * `error` or `error_description` is `invalid_token` or `expired_token` (podio-js
 * tested `error === "invalid_token" || error_description === "expired_token"`).
 * Any other 401 (`{ error: "unauthorized", error_description, error_detail }`:
 * the token is fine, the call is not allowed) is the caller's.
 */
export function podioShouldRefresh(_response: Response, body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  const { error, error_description: description } = body as Record<string, unknown>;
  return (
    (typeof error === "string" && TOKEN_ERRORS.includes(error)) ||
    (typeof description === "string" && TOKEN_ERRORS.includes(description))
  );
}

function authorizePageFor(apiURL: string): string {
  const url = new URL(apiURL);
  if (url.hostname.startsWith("api.")) url.hostname = url.hostname.slice(4);
  return `${url.origin}/oauth/authorize`;
}

/**
 * The Podio platform profile: `Authorization: OAuth2 <token>`, token endpoint
 * `<apiURL>/oauth/token`, Podio's app grant (`grant_type=app` with `app_id`
 * and `app_token`, through `authenticateWithApp`), no client credentials
 * grant, refresh only on a 401 that names the token (see
 * {@link podioShouldRefresh}), and `ref` / `transferToken` kept through
 * refreshes that omit them.
 *
 * @example
 * new PlatformClient({ authType: "app", clientId, clientSecret }, { platform: podio(), sessionStore });
 * @throws `ERR_INVALID_ARGUMENT` naming the option (`platform.apiURL` ...) when one is wrong.
 */
export function podio(options: PodioOptions = {}): PlatformProfile {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw invalidArgument("platform", "podio() options must be an object");
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name))
      throw invalidArgument(`platform.${name}`, `is not a podio() option (${OPTION_NAMES.join(", ")})`);
  }
  const apiURL = options.apiURL ?? PODIO_API_URL;
  // Checked here first, so the default authorization page is derived from a valid URL.
  const checked = definePlatformProfile({ name: "podio", apiURL });
  return definePlatformProfile({
    name: "podio",
    apiURL: checked.apiURL,
    authorizeURL: options.authorizeURL ?? (apiURL === PODIO_API_URL ? PODIO_AUTHORIZE_URL : authorizePageFor(apiURL)),
    authScheme: "OAuth2",
    appGrant: { grantType: "app", idParam: "app_id", tokenParam: "app_token" },
    clientCredentials: false,
    shouldRefresh: podioShouldRefresh,
    keptOnRefresh: ["ref", "transferToken"],
  });
}
