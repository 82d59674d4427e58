import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlatformContext } from "./context.js";
import { sendJson } from "./http-util.js";
import type { PodioMode } from "./types.js";

/** Podio mode as the routes use it. */
export interface PodioState {
  /** App id → app token, for `grant_type=app`. */
  readonly apps: ReadonlyMap<string, string>;
}

const DEFAULT_APPS: Readonly<Record<string, string>> = { "1001": "demo-app-token" };

/** Reads the `podio` option: `undefined`/`false` is off, `true` is on with the default app. */
export function podioState(option: boolean | PodioMode | undefined): PodioState | undefined {
  if (option === undefined || option === false) return undefined;
  if (option !== true && (typeof option !== "object" || option === null))
    throw new TypeError("podio must be a boolean or { apps }");
  const apps = option === true ? DEFAULT_APPS : (option.apps ?? DEFAULT_APPS);
  for (const [id, token] of Object.entries(apps)) {
    if (id === "" || typeof token !== "string" || token === "")
      throw new TypeError("podio.apps must map app ids to non-empty app tokens");
  }
  return { apps: new Map(Object.entries(apps)) };
}

/** The grants the token endpoint takes: Podio has its app grant and no client credentials. */
export function grantsFor(ctx: PlatformContext): readonly string[] {
  return ctx.podio
    ? ["password", "app", "authorization_code", "refresh_token"]
    : ["password", "client_credentials", "authorization_code", "refresh_token"];
}

/** The resource owner an app grant signs in (an app is its own resource owner on Podio). */
const APP_SUBJECT = /^app:(.+)$/;

/**
 * Podio's `grant_type=app`: `app_id` and `app_token` must name a registered
 * app; the answer has a refresh token, as Podio's does.
 */
export function grantApp(
  ctx: PlatformContext,
  params: Record<string, string>,
): { sub: string; scope: string } | { error: string; description: string } {
  const { app_id: appId, app_token: appToken } = params;
  if (!appId || !appToken) return { error: "invalid_request", description: "app_id and app_token are required" };
  if (ctx.podio?.apps.get(appId) !== appToken)
    return { error: "invalid_grant", description: "wrong app_id or app_token" };
  return { sub: `app:${appId}`, scope: params.scope ?? `app:${appId}` };
}

/** Podio's `ref` for a token: the app or the user it acts as. */
export function refFor(sub: string, clientId: string): { type: string; id: string | number } {
  const app = APP_SUBJECT.exec(sub)?.[1];
  if (app !== undefined) return { type: "app", id: /^\d+$/.test(app) ? Number(app) : app };
  return { type: sub === clientId ? "app" : "user", id: sub };
}

/** The token from `Authorization: OAuth2 x`: the only scheme Podio takes. */
export function podioToken(req: IncomingMessage): string | undefined {
  return /^OAuth2\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
}

/**
 * Podio's 401 body, `{ error, error_description, error_detail }`, without an
 * RFC 6750 `WWW-Authenticate` challenge: only the body tells a token at fault
 * (`invalid_token` / `expired_token`) from a refused call (`unauthorized`).
 */
export function sendPodioUnauthorized(
  res: ServerResponse,
  error: string,
  description: string,
  detail: string | null = null,
): void {
  sendJson(res, 401, { error, error_description: description, error_detail: detail });
}

/** No `OAuth2` token (none, or another scheme such as `Bearer`): nothing to refresh. */
export function sendNoToken(ctx: PlatformContext, res: ServerResponse): void {
  ctx.stats.apiUnauthorized += 1;
  sendPodioUnauthorized(res, "unauthorized", "authentication required: Authorization: OAuth2 <token>");
}

/**
 * `ANY /unauthorized` in Podio mode: a valid token, a refused call — the 401
 * a refresh cannot fix (Podio answers it for a method the token's app or user
 * may not call).
 */
export function sendRefusedCall(ctx: PlatformContext, res: ServerResponse): void {
  ctx.stats.apiUnauthorized += 1;
  sendPodioUnauthorized(
    res,
    "unauthorized",
    "This method is not allowed for the current authentication",
    "authentication_not_allowed",
  );
}
