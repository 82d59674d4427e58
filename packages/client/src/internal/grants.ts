import type { AuthType } from "@sessionstore/core";
import { invalidArgument, PlatformApiError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";

/** A token request's form fields, and the grant's name for the `'tokens'` event. */
export interface GrantRequest {
  readonly params: Record<string, string>;
  readonly name: string;
}

/** Refuses a call that does not fit the client's auth type (`ERR_UNSUPPORTED`). */
export function requireType(authType: AuthType, allowed: readonly AuthType[], what: string): void {
  if (!allowed.includes(authType)) {
    throw new PlatformApiError(
      "ERR_UNSUPPORTED",
      `${what} needs auth type ${allowed.map((type) => `'${type}'`).join(" or ")}, this client is '${authType}'`,
    );
  }
}

/** Resource owner password grant ([RFC 6749 §4.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.3)). */
export function passwordGrant(authType: AuthType, username: unknown, password: unknown): GrantRequest {
  requireType(authType, ["password"], "authenticateWithCredentials");
  if (typeof username !== "string" || username === "") throw invalidArgument("username", "must be a non-empty string");
  if (typeof password !== "string") throw invalidArgument("password", "must be a string");
  return { params: { grant_type: "password", username, password }, name: "password" };
}

/** Client credentials grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)). */
export function clientCredentialsGrant(authType: AuthType, options: ResolvedOptions): GrantRequest {
  requireType(authType, ["app"], "authenticateWithClientCredentials");
  if (!options.clientCredentials) {
    throw new PlatformApiError(
      "ERR_UNSUPPORTED",
      "this platform has no client credentials grant: use authenticateWithApp(appId, appToken)",
    );
  }
  return { params: { grant_type: "client_credentials" }, name: "client_credentials" };
}

/** The platform's app grant (Podio: `grant_type=app` with `app_id` and `app_token`). */
export function appGrant(
  authType: AuthType,
  options: ResolvedOptions,
  appId: unknown,
  appToken: unknown,
): GrantRequest {
  requireType(authType, ["app"], "authenticateWithApp");
  const grant = options.appGrant;
  if (grant === undefined) {
    throw new PlatformApiError(
      "ERR_UNSUPPORTED",
      "this platform has no app grant (give options.platform, e.g. podio()); use authenticateWithClientCredentials",
    );
  }
  const id = typeof appId === "number" && Number.isSafeInteger(appId) && appId > 0 ? String(appId) : appId;
  if (typeof id !== "string" || id.trim() === "")
    throw invalidArgument("appId", "must be a non-empty string or a positive integer");
  if (typeof appToken !== "string" || appToken === "") throw invalidArgument("appToken", "must be a non-empty string");
  return {
    params: { grant_type: grant.grantType, [grant.idParam]: id, [grant.tokenParam]: appToken },
    name: grant.grantType,
  };
}

/** Authorization code exchange ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)), with the PKCE verifier if one was used. */
export function codeGrant(
  authType: AuthType,
  code: unknown,
  redirectURI: unknown,
  options: { codeVerifier?: string },
): GrantRequest {
  requireType(authType, ["server", "client"], "getAccessToken");
  if (typeof code !== "string" || code === "") throw invalidArgument("code", "must be a non-empty string");
  if (typeof redirectURI !== "string" || redirectURI === "")
    throw invalidArgument("redirectURI", "must be a non-empty string");
  const params: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: redirectURI };
  if (options.codeVerifier !== undefined) params.code_verifier = options.codeVerifier;
  return { params, name: "authorization_code" };
}
