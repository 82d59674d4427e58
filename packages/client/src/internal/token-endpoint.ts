import { type JsonObject, redactTokens } from "@sessionstore/core";
import { PlatformApiError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { ClientAuthMethod, PlatformAuthOptions } from "../types.js";
import { describeRequest, isTransientStatus, oauthErrorOf, parseBody, send } from "./http.js";
import type { Telemetry } from "./telemetry.js";
import { type TokenCallSeen, traceTokenCall } from "./telemetry-flows.js";
import { checkTokenResponse } from "./token-response.js";

/** What the token endpoint needs to know about the client. */
export interface TokenEndpointConfig {
  readonly tokenURL: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly scope: string | undefined;
  readonly audience: string | undefined;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  /** Where token calls are traced, counted and logged. @default none */
  readonly telemetry?: Telemetry | undefined;
}

/** The token endpoint's side of a client's options. */
export function tokenEndpointConfig(
  auth: PlatformAuthOptions,
  resolved: ResolvedOptions,
  telemetry: Telemetry,
): TokenEndpointConfig {
  return {
    tokenURL: resolved.tokenURL,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    scope: auth.scope,
    audience: auth.audience,
    clientAuthMethod: resolved.clientAuthMethod,
    fetch: resolved.fetch,
    timeoutMs: resolved.tokenTimeoutMs,
    telemetry,
  };
}

// RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

function basic(clientId: string, secret: string): string {
  const bytes = new TextEncoder().encode(`${formEncode(clientId)}:${formEncode(secret)}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** The request's secrets plus the client secret, which a server may echo without being sent it in this form. */
function withClientSecret(secrets: readonly string[], config: TokenEndpointConfig): readonly string[] {
  return config.clientSecret === undefined ? secrets : [...secrets, config.clientSecret];
}

/** Adds client authentication to a token or revocation request. */
export function withClientAuth(
  config: TokenEndpointConfig,
  params: Record<string, string>,
): { body: URLSearchParams; headers: Record<string, string> } {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (config.clientSecret !== undefined && config.clientAuthMethod === "client_secret_basic") {
    headers.authorization = basic(config.clientId, config.clientSecret);
  } else {
    body.set("client_id", config.clientId);
    if (config.clientSecret !== undefined) body.set("client_secret", config.clientSecret);
  }
  return { body, headers };
}

/**
 * Calls the token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2))
 * and returns the parsed token response.
 * @throws `PlatformApiError`: `ERR_TOKEN_REQUEST` with `oauthError` for a refused grant;
 *   `ERR_SERVER` / `ERR_NETWORK` / `ERR_TIMEOUT` (transient) otherwise;
 *   `ERR_INVALID_RESPONSE` for a 2xx that is not a token response;
 *   `ERR_TOKEN_RESPONSE` (terminal) for one whose tokens or `expires_in` are malformed.
 */
export function requestToken(config: TokenEndpointConfig, grant: Record<string, string>): Promise<JsonObject> {
  return traceTokenCall(config.telemetry, grant.grant_type ?? "?", (seen) => exchange(config, grant, seen));
}

async function exchange(
  config: TokenEndpointConfig,
  grant: Record<string, string>,
  seen: TokenCallSeen,
): Promise<JsonObject> {
  const params: Record<string, string> = { ...grant };
  if (config.scope !== undefined && grant.grant_type !== "authorization_code") params.scope ??= config.scope;
  if (config.audience !== undefined) params.audience ??= config.audience;
  const { body, headers } = withClientAuth(config, params);
  const request = describeRequest("POST", config.tokenURL);
  // A non-2xx body comes back with every secret of the request masked (see send()).
  // "manual", not "error": a redirect is never followed (the credentials stay
  // here) and surfaces as a non-2xx answer; Cloudflare's workerd rejects "error".
  const { response, text, secrets } = await send(
    config.fetch,
    config.tokenURL,
    { method: "POST", headers, body, redirect: "manual" },
    { timeoutMs: config.timeoutMs, readBody: true },
  );
  seen.status = response.status;
  const parsed = parseBody(text, response.headers.get("content-type"));
  const grantType = grant.grant_type ?? "?";
  if (!response.ok) {
    const oauthError = oauthErrorOf(parsed);
    const transient = isTransientStatus(response.status);
    const description =
      typeof parsed === "object" && parsed !== null && typeof (parsed as JsonObject).error_description === "string"
        ? `: ${redactTokens((parsed as JsonObject).error_description as string)}`
        : "";
    throw new PlatformApiError(
      transient ? "ERR_SERVER" : "ERR_TOKEN_REQUEST",
      `token request (${grantType}) failed with HTTP ${response.status}${oauthError ? ` ${oauthError}` : ""}${transient ? "" : description}`,
      {
        status: response.status,
        body: parsed,
        request,
        transient,
        ...(oauthError ? { oauthError } : {}),
        secrets: withClientSecret(secrets, config),
      },
    );
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as JsonObject).access_token !== "string") {
    throw new PlatformApiError(
      "ERR_INVALID_RESPONSE",
      `token request (${grantType}) answered without an access_token`,
      {
        status: response.status,
        request,
        // A half-valid answer after a rotation: keep the tokens we have and retry.
        transient: true,
      },
    );
  }
  return checkTokenResponse(parsed as JsonObject, grantType, { status: response.status, request });
}

/**
 * Revokes a token ([RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1)).
 * @throws `PlatformApiError` when the server does not answer 200.
 */
export async function revokeToken(
  config: TokenEndpointConfig,
  revokeURL: string,
  token: string,
  hint: "access_token" | "refresh_token",
): Promise<void> {
  const { body, headers } = withClientAuth(config, { token, token_type_hint: hint });
  const request = describeRequest("POST", revokeURL);
  const { response, text, secrets } = await send(
    config.fetch,
    revokeURL,
    { method: "POST", headers, body, redirect: "manual" },
    { timeoutMs: config.timeoutMs, readBody: true },
  );
  if (response.ok) return;
  const parsed = parseBody(text, response.headers.get("content-type"));
  const oauthError = oauthErrorOf(parsed);
  const transient = isTransientStatus(response.status);
  throw new PlatformApiError(
    transient ? "ERR_SERVER" : "ERR_TOKEN_REQUEST",
    `token revocation failed with HTTP ${response.status}${oauthError ? ` ${oauthError}` : ""}`,
    {
      status: response.status,
      body: parsed,
      request,
      transient,
      ...(oauthError ? { oauthError } : {}),
      secrets: withClientSecret(secrets, config),
    },
  );
}
