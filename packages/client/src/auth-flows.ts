import type { AuthType } from "@sessionstore/core";
import { invalidArgument, PlatformApiError } from "./errors.js";
import { codeChallengeS256 } from "./pkce.js";
import type { AuthorizationURLOptions } from "./types.js";

/** What the redirect back from the authorization server carried. */
export type RedirectResult =
  | { readonly kind: "none" }
  | { readonly kind: "code"; readonly code: string; readonly state: string | undefined }
  | { readonly kind: "implicit"; readonly params: Record<string, string>; readonly state: string | undefined };

/**
 * The authorization request URL ([RFC 6749 §4.1.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1),
 * PKCE per [RFC 7636 §4.3](https://www.rfc-editor.org/rfc/rfc7636#section-4.3)).
 */
export function buildAuthorizationURL(
  config: {
    authorizeURL: string;
    clientId: string;
    authType: AuthType;
    scope?: string | undefined;
    audience?: string | undefined;
  },
  redirectURI: string,
  options: AuthorizationURLOptions,
): string {
  if (config.authType !== "server" && config.authType !== "client") {
    throw new PlatformApiError(
      "ERR_UNSUPPORTED",
      `authorization URLs are for the 'server' and 'client' auth types, not '${config.authType}'`,
    );
  }
  if (typeof redirectURI !== "string" || !URL.canParse(redirectURI))
    throw invalidArgument("redirectURI", "must be an absolute URL");
  if (typeof options?.state !== "string" || options.state.length < 8) {
    throw invalidArgument("options.state", "must be an unguessable string of 8+ characters (see createState())");
  }
  const responseType = options.responseType ?? "code";
  if (responseType === "token" && config.authType !== "client") {
    throw invalidArgument("options.responseType", "'token' (implicit) is only for the 'client' auth type");
  }
  const url = new URL(config.authorizeURL);
  for (const [name, value] of Object.entries(options.params ?? {})) {
    if (typeof value !== "string") throw invalidArgument(`options.params.${name}`, "must be a string");
    url.searchParams.set(name, value);
  }
  url.searchParams.set("response_type", responseType);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectURI);
  url.searchParams.set("state", options.state);
  if (config.scope !== undefined) url.searchParams.set("scope", config.scope);
  if (config.audience !== undefined) url.searchParams.set("audience", config.audience);
  if (responseType === "code") {
    if (options.codeVerifier !== undefined) {
      url.searchParams.set("code_challenge", codeChallengeS256(options.codeVerifier));
      url.searchParams.set("code_challenge_method", "S256");
    } else if (config.authType === "client") {
      throw invalidArgument("options.codeVerifier", "is required for the 'client' type (see createCodeVerifier())");
    }
  }
  return url.toString();
}

/**
 * Reads a redirect URL: `?code=&state=` (code flow), `#access_token=...`
 * (legacy implicit flow, as podio-js read it) or `error=` in either place.
 * @throws `ERR_REDIRECT` when the server sent an error.
 */
export function parseRedirect(url: string): RedirectResult {
  const parsed = new URL(url);
  const fragment = new URLSearchParams(parsed.hash.replace(/^#/, ""));
  const query = parsed.searchParams;
  const error = query.get("error") ?? fragment.get("error");
  if (error !== null) {
    const description = query.get("error_description") ?? fragment.get("error_description");
    throw new PlatformApiError(
      "ERR_REDIRECT",
      `authorization failed: ${error}${description ? ` (${description})` : ""}`,
      {
        oauthError: error,
      },
    );
  }
  const accessToken = fragment.get("access_token");
  if (accessToken !== null) {
    const params = Object.fromEntries(fragment);
    return { kind: "implicit", params, state: params.state };
  }
  const code = query.get("code");
  if (code !== null) return { kind: "code", code, state: query.get("state") ?? undefined };
  return { kind: "none" };
}

/** The redirect URI a code was issued for: the URL without query and fragment. */
export function redirectURIOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
