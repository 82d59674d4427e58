import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlatformContext } from "./context.js";
import { sendOAuthError } from "./http-util.js";
import { newCode } from "./token-endpoint.js";

const CODE_LIFETIME_MS = 60_000;

function redirectAllowed(allowed: readonly string[] | undefined, uri: string): boolean {
  if (allowed && allowed.length > 0) return allowed.includes(uri);
  try {
    const { protocol } = new URL(uri);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}

/**
 * `GET /oauth/authorize`: approves at once as `authorizeAs` and redirects back.
 * `response_type=code` ([RFC 6749 §4.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1),
 * PKCE S256 per [RFC 7636](https://www.rfc-editor.org/rfc/rfc7636), required for public clients)
 * or the legacy implicit `response_type=token` (§4.2, token in the fragment, no refresh token).
 */
export function handleAuthorize(ctx: PlatformContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  ctx.stats.authorizeCalls += 1;
  const query = url.searchParams;
  const client = ctx.clients.get(query.get("client_id") ?? "");
  const redirectURI = query.get("redirect_uri") ?? "";
  // Errors about the client or redirect URI are never redirected (§4.1.2.1).
  if (!client) {
    sendOAuthError(res, 400, "invalid_client", "unknown client_id");
    return;
  }
  if (!redirectAllowed(client.redirectURIs, redirectURI)) {
    sendOAuthError(res, 400, "invalid_request", "redirect_uri is not registered");
    return;
  }
  void req;
  const state = query.get("state");
  const responseType = query.get("response_type");
  const back = new URL(redirectURI);
  const fail = (error: string, description: string) => {
    back.searchParams.set("error", error);
    back.searchParams.set("error_description", description);
    if (state !== null) back.searchParams.set("state", state);
    redirect(res, back.toString());
  };
  const scope = query.get("scope") ?? "global";

  if (responseType === "token") {
    const accessToken = ctx.state.issueAccess(
      { sub: ctx.authorizeAs, cid: client.clientId, scope },
      ctx.accessTokenLifetime,
    );
    const fragment = new URLSearchParams({
      access_token: accessToken,
      token_type: "bearer",
      expires_in: String(ctx.accessTokenLifetime),
      scope,
      ...(state === null ? {} : { state }),
    });
    back.hash = fragment.toString();
    redirect(res, back.toString());
    return;
  }
  if (responseType !== "code") {
    fail("unsupported_response_type", "use response_type=code or token");
    return;
  }

  const challenge = query.get("code_challenge");
  const method = query.get("code_challenge_method") ?? "plain";
  if (challenge !== null && method !== "S256") {
    fail("invalid_request", "only code_challenge_method=S256");
    return;
  }
  if (challenge === null && client.clientSecret === undefined) {
    fail("invalid_request", "public clients must use PKCE (code_challenge)");
    return;
  }
  const code = newCode();
  ctx.codes.set(code, {
    clientId: client.clientId,
    redirectURI,
    sub: ctx.authorizeAs,
    scope,
    ...(challenge === null ? {} : { codeChallenge: challenge }),
    expiresAt: ctx.now() + CODE_LIFETIME_MS,
    used: false,
  });
  back.searchParams.set("code", code);
  if (state !== null) back.searchParams.set("state", state);
  redirect(res, back.toString());
}
