import type { IncomingMessage, ServerResponse } from "node:http";
import { applyFault, type PlatformContext } from "./context.js";
import { bearerToken, parseJsonBody, readBody, sendJson } from "./http-util.js";
import { podioToken, sendNoToken, sendPodioUnauthorized, sendRefusedCall } from "./podio-mode.js";
import type { AccessClaims } from "./token-state.js";

function unauthorized(ctx: PlatformContext, res: ServerResponse, expired: boolean): void {
  ctx.stats.apiUnauthorized += 1;
  const description = expired ? "expired_token" : "invalid_token";
  if (ctx.podio) {
    const podioError = ctx.unauthorizedStyle === "expired_token" ? "unauthorized" : "invalid_token";
    sendPodioUnauthorized(res, podioError, description);
    return;
  }
  const body =
    ctx.unauthorizedStyle === "expired_token"
      ? { error: "unauthorized", error_description: description }
      : { error: "invalid_token", error_description: description };
  sendJson(res, 401, body, {
    "www-authenticate": `Bearer error="invalid_token", error_description="${description}"`,
  });
}

function withoutSecrets(headers: IncomingMessage["headers"]): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === "authorization" || name === "cookie" || value === undefined) continue;
    copy[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return copy;
}

/**
 * Protected routes, each needing a valid access token
 * (`Authorization: Bearer` or podio-js's `OAuth2`):
 * - `GET /user/status`: who the token belongs to;
 * - `ANY /items/:id`: echoes method, id, query, JSON body and headers (never `authorization`);
 * - `ANY /status/:code`: answers that status with `{ error, error_description }` (for error handling tests).
 * Anything else is `404 { error: "not_found" }`.
 */
export async function handleApi(
  ctx: PlatformContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  ctx.stats.apiCalls += 1;
  const text = await readBody(req);
  if (applyFault(ctx, ctx.faults.take("api"), res)) return;
  const token = ctx.podio ? podioToken(req) : bearerToken(req);
  if (!token) return ctx.podio ? sendNoToken(ctx, res) : unauthorized(ctx, res, false);
  const verified = ctx.state.verifyAccess(token);
  if (!verified.ok) return unauthorized(ctx, res, verified.expired);
  const claims: AccessClaims = verified.claims;

  const path = url.pathname;
  if (ctx.podio && path === "/unauthorized") return sendRefusedCall(ctx, res);
  if (path === "/user/status" && req.method === "GET") {
    return sendJson(res, 200, {
      user: { user_id: claims.sub, username: claims.sub },
      client_id: claims.cid,
      scope: claims.scope,
      token_expires_at: new Date(claims.exp).toISOString(),
    });
  }
  const item = /^\/items\/([^/]+)$/.exec(path);
  if (item) {
    return sendJson(res, 200, {
      item_id: decodeURIComponent(item[1] ?? ""),
      method: req.method,
      query: Object.fromEntries(url.searchParams),
      body: parseJsonBody(text) ?? null,
      headers: withoutSecrets(req.headers),
      user: claims.sub,
    });
  }
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    const code = Number(status[1]);
    if (code === 204) {
      res.writeHead(204);
      res.end();
      return;
    }
    return sendJson(res, code, { error: `status_${code}`, error_description: `you asked for HTTP ${code}` });
  }
  return sendJson(res, 404, { error: "not_found", error_description: `no route ${req.method} ${path}` });
}
