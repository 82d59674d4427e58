// The web app: each signed-in user of YOUR app has their own platform session,
// kept in Redis under subject = user id. Every instance of the app (and every
// restart) finds it there. Handlers are plain node:http; each one maps 1:1 to an
// Express route (see README.md).
import { createHmac, timingSafeEqual } from "node:crypto";
import { PlatformClient } from "@sessionstore/client";

const COOKIE = "uid";

/**
 * @param {object} config
 * @param {import("@sessionstore/core").SessionManager} config.sessions the manager over the Redis store
 * @param {string} config.apiURL the platform's base URL
 * @param {{ clientId: string, clientSecret?: string }} config.oauth this app's OAuth client
 * @param {string} config.secret signs the `uid` cookie
 * @param {string} [config.adminToken] enables POST /admin/logout-everyone
 */
export function createApp({ sessions, apiURL, oauth, secret, adminToken }) {
  // One PlatformClient per user and process; it restores that user's session from Redis when made.
  const clients = new Map();
  const clientFor = (userId) => {
    let client = clients.get(userId);
    if (!client) {
      client = new PlatformClient(
        { authType: "password", ...oauth },
        { apiURL, sessionStore: sessions, subject: userId },
      );
      clients.set(userId, client);
    }
    return client;
  };

  const sign = (userId) => createHmac("sha256", secret).update(userId).digest("base64url");
  const userOf = (req) => {
    const cookie = (req.headers.cookie ?? "").split(/;\s*/).find((part) => part.startsWith(`${COOKIE}=`));
    const [encoded, signature] = (cookie?.slice(COOKIE.length + 1) ?? "").split(".");
    if (!encoded || !signature) return undefined;
    const userId = Buffer.from(encoded, "base64url").toString();
    const expected = Buffer.from(sign(userId));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? userId : undefined;
  };
  const cookieFor = (userId) =>
    `${COOKIE}=${Buffer.from(userId).toString("base64url")}.${sign(userId)}; Path=/; HttpOnly; SameSite=Lax`;

  const routes = {
    // Sign the user in at the platform; the session lands in Redis under subject = user id.
    "POST /login": async (req, res) => {
      const { username, password } = await readJson(req);
      if (typeof username !== "string" || typeof password !== "string") return send(res, 400, { error: "bad_request" });
      // Your app's own user id; here the platform user name stands in for it.
      const userId = username;
      const session = await clientFor(userId).authenticateWithCredentials(username, password);
      send(res, 200, { userId, session }, { "set-cookie": cookieFor(userId) });
    },
    // What the app knows about the user's platform session: expiry, refreshable — never a token.
    "GET /me": async (_req, res, userId) => send(res, 200, { userId, session: await clientFor(userId).session() }),
    // A platform API call made with this user's token (refreshed once when it expires).
    "GET /me/platform-status": async (_req, res, userId) =>
      send(res, 200, await clientFor(userId).request("GET", "/user/status")),
    "POST /logout": async (_req, res, userId) => {
      const { revoked } = await clientFor(userId).logout();
      clients.delete(userId);
      send(res, 200, { revoked }, { "set-cookie": `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    },
    // "Revoke for all users": deletes every session in the namespace, in every instance's Redis.
    "POST /admin/logout-everyone": async (req, res) => {
      if (!adminToken || !safeEqual(req.headers["x-admin-token"], adminToken))
        return send(res, 404, { error: "not_found" });
      clients.clear();
      send(res, 200, { deleted: await sessions.clear() });
    },
  };

  return async function handle(req, res) {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes[`${req.method} ${path}`];
    if (!route) return send(res, 404, { error: "not_found" });
    const open = path === "/login" || path.startsWith("/admin/");
    const userId = open ? undefined : userOf(req);
    if (!open && userId === undefined) return send(res, 401, { error: "sign_in_first" });
    try {
      await route(req, res, userId);
    } catch (error) {
      const [status, code] = statusOf(error);
      // Codes only: PlatformApiError and SessionStoreError never carry a token, but nothing else is echoed either.
      if (status === 500) console.error(error);
      send(res, status, { error: code });
    }
  };
}

function statusOf(error) {
  switch (error?.code) {
    case "ERR_TOKEN_REQUEST": // wrong password, unknown user
    case "ERR_NOT_AUTHENTICATED": // never signed in, or logged out elsewhere
    case "ERR_SESSION_EXPIRED": // the refresh token was refused: sign in again
    case "ERR_UNAUTHORIZED":
      return [401, error.code];
    case "ERR_INVALID_ARGUMENT": // e.g. a user id that is not a valid subject
      return [400, error.code];
    case "ERR_STORE_UNAVAILABLE": // Redis is down: tokens are kept, try again later
    case "ERR_LOCK_TIMEOUT":
    case "ERR_SERVER":
    case "ERR_NETWORK":
    case "ERR_TIMEOUT":
      return [503, error.code];
    default:
      return [500, "internal_error"];
  }
}

function safeEqual(given, expected) {
  if (typeof given !== "string") return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 16_384) throw Object.assign(new Error("body too large"), { code: "ERR_INVALID_ARGUMENT" });
  }
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}
