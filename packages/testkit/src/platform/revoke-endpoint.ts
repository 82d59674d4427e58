import type { IncomingMessage, ServerResponse } from "node:http";
import { applyFault, type PlatformContext } from "./context.js";
import { clientCredentials, parseParams, readBody, sendOAuthError } from "./http-util.js";

/**
 * `POST /oauth/revoke` ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)):
 * a refresh token revokes its whole family (and the family's access tokens);
 * an access token revokes itself. Unknown tokens still get `200` (§2.2).
 */
export async function handleRevoke(ctx: PlatformContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.stats.revokeCalls += 1;
  const params = parseParams(req, await readBody(req));
  if (applyFault(ctx, ctx.faults.take("revoke"), res)) return;
  if (req.method !== "POST") return sendOAuthError(res, 405, "invalid_request", "use POST", { allow: "POST" });
  const given = clientCredentials(req, params);
  const client = given.clientId === undefined ? undefined : ctx.clients.get(given.clientId);
  const secretOk = client && (client.clientSecret === undefined || client.clientSecret === given.clientSecret);
  if (!client || !secretOk) return sendOAuthError(res, 401, "invalid_client", "unknown client or wrong secret");
  const token = params.token;
  if (!token) return sendOAuthError(res, 400, "invalid_request", "token is required");
  const hint = params.token_type_hint;
  if (hint === "access_token") {
    if (!ctx.state.revokeAccess(token, client.clientId)) ctx.state.revokeRefresh(token, client.clientId);
  } else if (!ctx.state.revokeRefresh(token, client.clientId)) {
    ctx.state.revokeAccess(token, client.clientId);
  }
  res.writeHead(200, { "cache-control": "no-store", "content-length": "0" });
  res.end();
}
