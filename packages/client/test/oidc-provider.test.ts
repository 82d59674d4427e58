// Against panva's OpenID-certified oidc-provider 9, started in this process on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCodeVerifier, createState, PlatformClient } from "../src/index.js";
import { testClock } from "./support/harness.js";

const REDIRECT = "http://localhost:3000/cb";
let server: Server;
let issuer: string;
let provider: Provider;
const serverErrors: unknown[] = [];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: "machine",
        client_secret: "machine-secret-0123456789",
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: "client_secret_basic",
      },
      {
        client_id: "web",
        client_secret: "web-secret-0123456789",
        grant_types: ["authorization_code", "refresh_token"],
        redirect_uris: [REDIRECT],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    features: {
      clientCredentials: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      devInteractions: { enabled: false },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Grant: 86_400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 86_400,
    },
    // Rotate on every use, so reuse would be caught by the server.
    rotateRefreshToken: () => true,
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, accountId: string) => ({ accountId, claims: async () => ({ sub: accountId }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["sessionstore-test-cookie-key"] },
  });
  provider.on("server_error", (_ctx, error) => serverErrors.push(error));
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      // Stands in for a login + consent page: approves "alice" with openid and offline_access.
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: "alice", clientId: String(details.params.client_id) });
        grant.addOIDCScope("openid offline_access");
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: "alice" }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      })().catch((error: unknown) => {
        serverErrors.push(error);
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    callback(req, res);
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  expect(serverErrors).toEqual([]);
});

/** Follows redirects like a browser with a cookie jar, until one leaves the issuer. */
async function browse(start: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    if (!url.startsWith(issuer)) return url;
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const index = pair?.indexOf("=") ?? -1;
      if (pair && index > 0) jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get("location");
    if (!location) throw new Error(`no redirect from ${url}: HTTP ${response.status} ${await response.text()}`);
    url = new URL(location, url).toString();
  }
  throw new Error("too many redirects");
}

describe("oidc-provider 9", () => {
  it("client_credentials: a token the server knows, persisted and restored", async () => {
    const manager = createSessionManager(createMemoryStore());
    const options = {
      apiURL: issuer,
      tokenURL: `${issuer}/token`,
      sessionStore: manager,
      clientAuthMethod: "client_secret_basic" as const,
    };
    const auth = { authType: "app", clientId: "machine", clientSecret: "machine-secret-0123456789" } as const;
    const client = new PlatformClient(auth, options);
    await client.authenticateWithClientCredentials();
    const stored = await manager.get("app");
    expect(await provider.ClientCredentials.find(stored?.accessToken ?? "")).toMatchObject({ clientId: "machine" });
    const restored = new PlatformClient(auth, options);
    expect(await restored.isAuthenticated()).toBe(true);
  });

  it("authorization code + PKCE, then refresh with rotation; the spent refresh token is refused", async () => {
    const clock = testClock();
    const manager = createSessionManager(createMemoryStore());
    const client = new PlatformClient(
      { authType: "server", clientId: "web", clientSecret: "web-secret-0123456789", scope: "openid offline_access" },
      {
        apiURL: issuer,
        tokenURL: `${issuer}/token`,
        authorizeURL: `${issuer}/auth`,
        revokeURL: `${issuer}/token/revocation`,
        sessionStore: manager,
        now: clock.now,
        refreshJitterMs: 0,
      },
    );
    const state = createState();
    const codeVerifier = createCodeVerifier();
    const back = await browse(
      client.getAuthorizationURL(REDIRECT, { state, codeVerifier, params: { prompt: "consent" } }),
    );
    expect(await client.handleRedirect(back, { state, codeVerifier, redirectURI: REDIRECT })).toBe(true);
    const first = await manager.get("server");
    expect(first?.refreshToken).toEqual(expect.any(String));
    expect(await client.request("GET", "/me")).toMatchObject({ sub: "alice" });

    // Past expiry on our clock: the client refreshes before the call; the server rotates.
    clock.advance((first?.expiresIn ?? 3600) * 1000);
    expect(await client.request("GET", "/me")).toMatchObject({ sub: "alice" });
    const second = await manager.get("server");
    expect(second?.refreshToken).not.toBe(first?.refreshToken);
    const reuse = await fetch(`${issuer}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: first?.refreshToken ?? "",
        client_id: "web",
        client_secret: "web-secret-0123456789",
      }),
    });
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });

    // Reuse revoked the grant: the next refresh is invalid_grant, and the session is cleared.
    clock.advance((second?.expiresIn ?? 3600) * 1000);
    await expect(client.request("GET", "/me")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
    expect(await manager.get("server")).toBeUndefined();
  });

  it("a 401 from the userinfo endpoint refreshes once and retries; logout revokes", async () => {
    const manager = createSessionManager(createMemoryStore());
    const client = new PlatformClient(
      { authType: "server", clientId: "web", clientSecret: "web-secret-0123456789", scope: "openid offline_access" },
      {
        apiURL: issuer,
        tokenURL: `${issuer}/token`,
        authorizeURL: `${issuer}/auth`,
        revokeURL: `${issuer}/token/revocation`,
        sessionStore: manager,
      },
    );
    const state = createState();
    const codeVerifier = createCodeVerifier();
    const back = await browse(
      client.getAuthorizationURL(REDIRECT, { state, codeVerifier, params: { prompt: "consent" } }),
    );
    await client.handleRedirect(back, { state, codeVerifier, redirectURI: REDIRECT });
    const before = await manager.get("server");
    // Destroy the access token alone (revoking it would end the whole grant): the API answers 401.
    const token = await provider.AccessToken.find(before?.accessToken ?? "");
    await token?.destroy();
    const direct = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${before?.accessToken}` } });
    expect(direct.status).toBe(401);
    expect(await client.request("GET", "/me")).toMatchObject({ sub: "alice" });
    expect((await manager.get("server"))?.accessToken).not.toBe(before?.accessToken);

    const after = await manager.get("server");
    expect(await client.logout()).toEqual({ revoked: true });
    expect(await provider.AccessToken.find(after?.accessToken ?? "")).toBeUndefined();
  });
});
