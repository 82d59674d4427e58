import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { keepIdleSockets } from "../support/net.js";
import { handleApi } from "./api-routes.js";
import { handleAuthorize } from "./authorize-endpoint.js";
import type { PlatformContext } from "./context.js";
import { FaultQueue } from "./faults.js";
import { applyCors, sendJson } from "./http-util.js";
import { podioState } from "./podio-mode.js";
import { handleRevoke } from "./revoke-endpoint.js";
import { handleToken } from "./token-endpoint.js";
import { TokenState } from "./token-state.js";
import type { FakeClient, FakePlatform, FakePlatformOptions, FakePlatformStats } from "./types.js";

const DEFAULT_CLIENTS: readonly FakeClient[] = [
  { clientId: "demo-client", clientSecret: "demo-secret" },
  { clientId: "demo-public" },
];

function emptyStats(): FakePlatformStats {
  return {
    tokenCalls: 0,
    refreshCalls: 0,
    byGrant: {},
    invalidGrant: 0,
    reuseDetected: 0,
    apiCalls: 0,
    apiUnauthorized: 0,
    authorizeCalls: 0,
    revokeCalls: 0,
    faultsInjected: 0,
  };
}

function positive(name: string, value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number of seconds`);
  return value;
}

/**
 * Starts a fake OAuth2 platform on 127.0.0.1: a real HTTP server with a token
 * endpoint (password, client_credentials, authorization_code + PKCE,
 * refresh_token with rotation and reuse detection), an authorize endpoint, an
 * RFC 7009 revoke endpoint, protected API routes answering 401 the way Podio
 * does, counters, and fault injection. Node only.
 *
 * @example
 * const platform = await startFakePlatform({ accessTokenLifetime: 60 });
 * // ... point a client at platform.url
 * platform.expireAccessTokens();
 * expect(platform.stats.refreshCalls).toBe(1);
 * await platform.close();
 */
export async function startFakePlatform(options: FakePlatformOptions = {}): Promise<FakePlatform> {
  const now = options.now ?? Date.now;
  const users = options.users ?? { demo: "demo-password" };
  const authorizeAs = options.authorizeAs ?? Object.keys(users)[0];
  if (authorizeAs === undefined) throw new TypeError("users must name at least one user");
  const clients = new Map((options.clients ?? DEFAULT_CLIENTS).map((client) => [client.clientId, client]));
  const stats = emptyStats();
  let latencyMs = options.latencyMs ?? 0;
  const ctx: PlatformContext = {
    state: new TokenState(options.signingKey, options.stateFile, now),
    faults: new FaultQueue(),
    stats,
    clients,
    users,
    authorizeAs,
    codes: new Map(),
    accessTokenLifetime: positive("accessTokenLifetime", options.accessTokenLifetime, 3600) as number,
    refreshTokenLifetime: positive("refreshTokenLifetime", options.refreshTokenLifetime, undefined),
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    revokeFamilyOnReuse: options.revokeFamilyOnReuse ?? true,
    unauthorizedStyle: options.unauthorizedStyle ?? "invalid_token",
    podio: podioState(options.podio),
    now,
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    // Before latency and faults: a preflight is the browser's, not a call the tests count or break.
    if (applyCors(req, res)) return;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/oauth/token") return handleToken(ctx, req, res);
    if (url.pathname === "/oauth/revoke") return handleRevoke(ctx, req, res);
    if (url.pathname === "/oauth/authorize") return handleAuthorize(ctx, req, res, url);
    return handleApi(ctx, req, res, url);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 500, { error: "server_error", error_description: message });
    });
  });
  keepIdleSockets(server);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A backlog for storms: tests open 1,000 connections at once, and with Node's default
    // of 511 a busy event loop lets the accept queue overflow; the kernel then drops
    // handshakes (SYN-ACK retries of 1, 2, 4, 8 s: token calls timed out) or resets them
    // (ECONNRESET), as two loaded runs showed. The kernel caps it at somaxconn.
    server.listen(options.port ?? 0, "127.0.0.1", 4096, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    tokenURL: `${url}/oauth/token`,
    authorizeURL: `${url}/oauth/authorize`,
    revokeURL: `${url}/oauth/revoke`,
    stats,
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    expireAccessTokens: () => ctx.state.expireAccessTokens(),
    revokeAllRefreshTokens: () => ctx.state.revokeAllFamilies(),
    injectFault: (fault) => ctx.faults.add(fault),
    clearFaults: () => ctx.faults.clear(),
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError("latency must be a non-negative number of ms");
      latencyMs = ms;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
