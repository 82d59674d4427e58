import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { applyFault, dropConnection, type PlatformContext } from "./context.js";
import { clientCredentials, parseParams, readBody, sendJson, sendOAuthError } from "./http-util.js";
import { grantApp, grantsFor, refFor } from "./podio-mode.js";
import { randomToken } from "./token-state.js";
import type { FakeClient, GrantType } from "./types.js";

interface Issued {
  readonly sub: string;
  readonly client: FakeClient;
  readonly scope: string;
  readonly family?: string;
  readonly refreshToken?: string;
}

function tokenResponse(ctx: PlatformContext, issued: Issued): Record<string, unknown> {
  const accessToken = ctx.state.issueAccess(
    {
      sub: issued.sub,
      cid: issued.client.clientId,
      scope: issued.scope,
      ...(issued.family === undefined ? {} : { fam: issued.family }),
    },
    ctx.accessTokenLifetime,
  );
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: ctx.accessTokenLifetime,
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
    scope: issued.scope,
    // Podio's token responses say what the token grants access to.
    ref: refFor(issued.sub, issued.client.clientId),
  };
}

/** Checks the client (RFC 6749 §2.3); public clients authenticate with their id alone. */
function authenticateClient(ctx: PlatformContext, req: IncomingMessage, params: Record<string, string>) {
  const given = clientCredentials(req, params);
  const client = given.clientId === undefined ? undefined : ctx.clients.get(given.clientId);
  if (!client) return undefined;
  if (client.clientSecret === undefined) return given.clientSecret === undefined ? client : undefined;
  return given.clientSecret === client.clientSecret ? client : undefined;
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

type GrantResult = { issued: Issued } | { error: string; description: string };

function grantPassword(ctx: PlatformContext, client: FakeClient, params: Record<string, string>): GrantResult {
  const { username, password } = params;
  if (!username || ctx.users[username] === undefined || ctx.users[username] !== password) {
    return { error: "invalid_grant", description: "wrong username or password" };
  }
  const scope = params.scope ?? "global";
  const { family, refreshToken } = ctx.state.startFamily(username, client.clientId, scope, ctx.refreshTokenLifetime);
  return { issued: { sub: username, client, scope, family, refreshToken } };
}

function grantCode(ctx: PlatformContext, client: FakeClient, params: Record<string, string>): GrantResult {
  const code = params.code === undefined ? undefined : ctx.codes.get(params.code);
  if (!code || code.clientId !== client.clientId) return { error: "invalid_grant", description: "unknown code" };
  if (code.used) {
    if (code.family) ctx.state.revokeFamily(code.family);
    return { error: "invalid_grant", description: "code already used" };
  }
  if (code.expiresAt <= ctx.now()) return { error: "invalid_grant", description: "code expired" };
  if (params.redirect_uri !== code.redirectURI) return { error: "invalid_grant", description: "redirect_uri mismatch" };
  if (code.codeChallenge !== undefined) {
    // RFC 7636 §4.6
    const verifier = params.code_verifier;
    if (!verifier || s256(verifier) !== code.codeChallenge) {
      return { error: "invalid_grant", description: "code_verifier does not match the code_challenge" };
    }
  } else if (params.code_verifier !== undefined) {
    return { error: "invalid_grant", description: "code_verifier given for a code issued without a challenge" };
  }
  code.used = true;
  const { family, refreshToken } = ctx.state.startFamily(
    code.sub,
    client.clientId,
    code.scope,
    ctx.refreshTokenLifetime,
  );
  code.family = family;
  return { issued: { sub: code.sub, client, scope: code.scope, family, refreshToken } };
}

function grantRefresh(ctx: PlatformContext, client: FakeClient, params: Record<string, string>): GrantResult {
  if (!params.refresh_token) return { error: "invalid_request", description: "refresh_token is required" };
  const outcome = ctx.state.useRefresh(params.refresh_token, client.clientId, {
    rotate: ctx.rotateRefreshTokens,
    revokeOnReuse: ctx.revokeFamilyOnReuse,
    lifetimeSec: ctx.refreshTokenLifetime,
  });
  if (!outcome.ok) {
    if (outcome.reason === "reused") ctx.stats.reuseDetected += 1;
    return { error: "invalid_grant", description: `refresh token ${outcome.reason}` };
  }
  return {
    issued: {
      sub: outcome.claims.sub,
      client,
      scope: outcome.claims.scope,
      family: outcome.family,
      ...(outcome.next === undefined ? {} : { refreshToken: outcome.next }),
    },
  };
}

function appResult(ctx: PlatformContext, client: FakeClient, params: Record<string, string>): GrantResult {
  const app = grantApp(ctx, params);
  if ("error" in app) return app;
  const { family, refreshToken } = ctx.state.startFamily(app.sub, client.clientId, app.scope, ctx.refreshTokenLifetime);
  return { issued: { sub: app.sub, client, scope: app.scope, family, refreshToken } };
}

/** `POST /oauth/token` ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)). */
export async function handleToken(ctx: PlatformContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.stats.tokenCalls += 1;
  const params = parseParams(req, await readBody(req));
  const grant = params.grant_type ?? "(none)";
  ctx.stats.byGrant[grant] = (ctx.stats.byGrant[grant] ?? 0) + 1;
  if (grant === "refresh_token") ctx.stats.refreshCalls += 1;
  const fault = ctx.faults.take("token", grant);
  if (applyFault(ctx, fault, res)) return;
  if (req.method !== "POST") {
    sendOAuthError(res, 405, "invalid_request", "use POST", { allow: "POST" });
    return;
  }

  const client = authenticateClient(ctx, req, params);
  if (!client) {
    sendOAuthError(res, 401, "invalid_client", "unknown client or wrong secret", {
      "www-authenticate": 'Basic realm="fake-platform"',
    });
    return;
  }
  if (!grantsFor(ctx).includes(grant)) {
    sendOAuthError(res, 400, "unsupported_grant_type", `grant_type ${grant} is not supported`);
    return;
  }
  let result: GrantResult;
  switch (grant as GrantType) {
    case "password":
      result = grantPassword(ctx, client, params);
      break;
    case "client_credentials":
      result =
        client.clientSecret === undefined
          ? { error: "unauthorized_client", description: "public clients cannot use client_credentials" }
          : { issued: { sub: client.clientId, client, scope: params.scope ?? "app" } };
      break;
    case "authorization_code":
      result = grantCode(ctx, client, params);
      break;
    case "app":
      result = appResult(ctx, client, params);
      break;
    default:
      result = grantRefresh(ctx, client, params);
  }
  if ("error" in result) {
    if (result.error === "invalid_grant") ctx.stats.invalidGrant += 1;
    sendOAuthError(res, 400, result.error, result.description);
    return;
  }
  const body = tokenResponse(ctx, result.issued);
  // Podio hands a transfer token out at sign-in; a client must keep it through refreshes.
  if (ctx.podio && grant !== "refresh_token") body.transfer_token = randomToken("tt");
  if (fault?.kind === "drop-after-rotation") {
    dropConnection(ctx, res);
    return;
  }
  sendJson(res, 200, body);
}

/** A fresh authorization code (for the authorize endpoint). */
export function newCode(): string {
  return `code_${randomBytes(24).toString("base64url")}`;
}
