import type { AuthType } from "@sessionstore/core";
import { buildAuthorizationURL, type RedirectResult, redirectURIOf } from "../auth-flows.js";
import { PlatformApiError } from "../errors.js";
import { createCodeVerifier, createState } from "../pkce.js";
import type { AuthorizationURLOptions, RedirectOptions } from "../types.js";
import type { PendingAuthorizations } from "./pending-authorization.js";

/** What an authorization request is built from. */
export interface AuthorizationConfig {
  readonly authorizeURL: string;
  readonly clientId: string;
  readonly authType: AuthType;
  readonly scope: string | undefined;
  readonly audience: string | undefined;
}

/**
 * Builds the authorization URL, creating the `state` (and, for the `'client'`
 * type's code flow, the PKCE verifier) when the caller gives none, and records
 * the request so that only its own redirect is accepted later.
 * @returns the URL now, and the promise of the record being stored.
 */
export function startAuthorization(
  config: AuthorizationConfig,
  pending: PendingAuthorizations,
  now: () => number,
  redirectURI: string,
  options: AuthorizationURLOptions = {},
): { url: string; recorded: Promise<void> } {
  const responseType = options.responseType ?? "code";
  const state = options.state ?? createState();
  const codeVerifier =
    options.codeVerifier ??
    (responseType === "code" && config.authType === "client" ? createCodeVerifier() : undefined);
  const url = buildAuthorizationURL(config, redirectURI, {
    ...options,
    state,
    ...(codeVerifier === undefined ? {} : { codeVerifier }),
  });
  const recorded = pending.record(state, {
    redirectURI,
    responseType,
    createdAt: now(),
    ...(codeVerifier === undefined ? {} : { codeVerifier }),
  });
  return { url, recorded };
}

/** What a verified redirect may be completed with. */
export interface VerifiedRedirect {
  readonly codeVerifier?: string;
  readonly redirectURI: string;
}

function refused(why: string): PlatformApiError {
  return new PlatformApiError("ERR_REDIRECT", `redirect refused: ${why} (possible login CSRF)`);
}

/**
 * Accepts a redirect only when it answers a request this client made
 * ([RFC 6749 §10.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)):
 * its `state` is one recorded by `getAuthorizationURL`, unexpired and not used
 * before (it is used up here, before any token call), or the one the caller
 * kept and passes in `options.state`. A missing state is never accepted.
 * @throws `ERR_REDIRECT` otherwise; nothing is exchanged or stored then.
 */
export async function verifyRedirect(
  pending: PendingAuthorizations,
  result: Exclude<RedirectResult, { kind: "none" }>,
  href: string,
  options: RedirectOptions,
): Promise<VerifiedRedirect> {
  const received = result.state;
  if (received === undefined || received === "") throw refused("it carries no state");
  if (options.state !== undefined && options.state !== received) {
    throw refused("its state is not the one sent");
  }
  // Used up first, so the same redirect (or state) can never be completed twice.
  const entry = await pending.take(received);
  if (entry === undefined && options.state === undefined) {
    throw refused("its state was not issued by this client, has expired, or was already used");
  }
  if (entry !== undefined && (entry.responseType === "token") !== (result.kind === "implicit")) {
    throw refused(`the request asked for a ${entry.responseType === "token" ? "token" : "code"}, not this`);
  }
  const codeVerifier = entry?.codeVerifier ?? options.codeVerifier;
  return {
    redirectURI: options.redirectURI ?? entry?.redirectURI ?? redirectURIOf(href),
    ...(codeVerifier === undefined ? {} : { codeVerifier }),
  };
}
