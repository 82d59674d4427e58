import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { type AuthType, createSessionManager, type SessionManager } from "@sessionstore/core";
import type { FakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, describe, expect, it } from "vitest";
import { type PlatformAuthOptions, PlatformClient, podio } from "../src/index.js";
import { platform } from "./support/harness.js";
import { crossProcessBackends, memoryBackend } from "./support/stores.js";

// Each Podio flow, under podio-js's names, against the fake platform in Podio
// mode (app grant, OAuth2 scheme only, Podio's 401 bodies), on memory, SQLite and Redis.
const made = [memoryBackend(), ...crossProcessBackends()];
// The issue names memory, SQLite and Redis; the file backend is made too (with its temp dir), so it is cleaned up with the rest.
const backends = made.filter(({ name }) => name !== "file");
afterAll(async () => {
  for (const backend of made) await backend.cleanup();
});

const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** Follows the fake platform's authorization page (it approves at once) and returns where it sends the browser. */
async function approve(authorizationURL: string): Promise<string> {
  const response = await fetch(authorizationURL, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) throw new Error(`authorize answered ${response.status}`);
  return location;
}

interface Flow {
  readonly authType: AuthType;
  readonly auth: PlatformAuthOptions;
  signIn(client: PlatformClient): Promise<unknown>;
  readonly grant: string;
}

const FLOWS: readonly Flow[] = [
  {
    authType: "password",
    auth: { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
    signIn: (client) => client.authenticateWithCredentials("demo", "demo-password"),
    grant: "password",
  },
  {
    authType: "app",
    auth: { authType: "app", clientId: "demo-client", clientSecret: "demo-secret" },
    signIn: (client) => client.authenticateWithApp(1001, "demo-app-token"),
    grant: "app",
  },
  {
    authType: "server",
    auth: { authType: "server", clientId: "demo-client", clientSecret: "demo-secret" },
    async signIn(client) {
      const state = "state-server-0001";
      const back = await approve(client.getAuthorizationURL(REDIRECT_URI, { state }));
      return client.handleRedirect(back, { state });
    },
    grant: "authorization_code",
  },
  {
    authType: "client",
    auth: { authType: "client", clientId: "demo-public" },
    async signIn(client) {
      const state = "state-client-0001";
      const codeVerifier = randomBytes(32).toString("base64url");
      const back = await approve(client.getAuthorizationURL(REDIRECT_URI, { state, codeVerifier }));
      return client.handleRedirect(back, { state, codeVerifier });
    },
    grant: "authorization_code",
  },
];

interface PodioJs {
  authenticateWithCredentials(username: string, password: string, callback: (error: unknown) => void): void;
  isAuthenticated(): Promise<void>;
  request(method: string, path: string): Promise<unknown>;
}

/** The real, unmodified podio-js 1.6.1 (CommonJS). */
function realPodio(): new (auth: object, options: object) => PodioJs {
  return (createRequire(import.meta.url)("podio-js") as { api: new (auth: object, options: object) => PodioJs }).api;
}

function podioClient(server: FakePlatform, manager: SessionManager, flow: Flow): PlatformClient {
  return new PlatformClient(flow.auth, {
    platform: podio({ apiURL: server.url }),
    sessionStore: manager,
    refreshJitterMs: 0,
  });
}

describe.each(backends)("podio() profile on the $name store", (backend) => {
  it.each(FLOWS)(
    "$authType: sign in, restore with 0 token calls, no refresh on a refused call, one on expiry",
    async (flow) => {
      const server = await platform({ podio: true });
      const manager = createSessionManager(await backend.open(), {
        subject: `podio-${randomBytes(6).toString("hex")}`,
      });

      await flow.signIn(podioClient(server, manager, flow));
      expect(server.stats.byGrant).toEqual({ [flow.grant]: 1 });
      const signedIn = await manager.get(flow.authType);
      expect(signedIn).toMatchObject({
        refreshToken: expect.any(String),
        scope: expect.any(String),
        transferToken: expect.any(String),
        ref: expect.objectContaining({ type: flow.authType === "app" ? "app" : "user" }),
      });

      // A second client (a new process, say) restores the session: no token call.
      server.resetStats();
      const restored = podioClient(server, manager, flow);
      await expect(restored.request("GET", "/user/status")).resolves.toMatchObject({ user: expect.any(Object) });
      expect(server.stats.tokenCalls).toBe(0);

      // A 401 that does not name the token: Podio's fields on the error, no token call, no retry.
      const refused = await restored.request("GET", "/unauthorized").catch((error: unknown) => error);
      expect(refused).toMatchObject({
        name: "PlatformApiError",
        code: "ERR_UNAUTHORIZED",
        status: 401,
        oauthError: "unauthorized",
        errorDescription: "This method is not allowed for the current authentication",
        errorDetail: "authentication_not_allowed",
      });
      expect(server.stats.tokenCalls).toBe(0);
      expect(server.stats.apiCalls).toBe(2);

      // The server expires the token (the client's clock does not know): exactly one refresh.
      server.expireAccessTokens();
      await expect(restored.request("GET", "/items/7")).resolves.toMatchObject({ item_id: "7" });
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.refreshCalls).toBe(1);

      // ref, transferToken (the refresh answer has none) and scope survive the refresh, and a restore.
      const refreshed = await manager.get(flow.authType);
      expect(refreshed?.accessToken).not.toBe(signedIn?.accessToken);
      expect(refreshed).toMatchObject({
        ref: signedIn?.ref,
        transferToken: signedIn?.transferToken,
        scope: signedIn?.scope,
      });
      await expect(podioClient(server, manager, flow).request("GET", "/user/status")).resolves.toBeDefined();
      expect(server.stats.tokenCalls).toBe(1);
    },
  );

  it("store first, then the client: podio-js signs in, podio() takes over with no token call; ref and transferToken survive its refresh", async () => {
    const server = await platform({ podio: true });
    const manager = createSessionManager(await backend.open(), { subject: `first-${randomBytes(6).toString("hex")}` });
    const [password] = FLOWS;
    const legacy = new (realPodio())(password!.auth, { sessionStore: manager, apiURL: server.url });
    await new Promise<void>((resolve, reject) =>
      legacy.authenticateWithCredentials("demo", "demo-password", (error) =>
        error === null ? resolve() : reject(error),
      ),
    );
    // podio-js wrote camelCase (transferToken, ref) with no config fingerprint.
    const written = await manager.get("password");
    expect(written).toMatchObject({ transferToken: expect.any(String), ref: { type: "user", id: "demo" } });

    const client = podioClient(server, manager, password!);
    await expect(client.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);
    server.expireAccessTokens();
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
    expect(await manager.get("password")).toMatchObject({ transferToken: written?.transferToken, ref: written?.ref });
  });

  it("the real podio-js uses a session our podio() client signed in with, and sends the same OAuth2 header", async () => {
    const server = await platform({ podio: true });
    const manager = createSessionManager(await backend.open(), {
      subject: `podio-js-${randomBytes(6).toString("hex")}`,
    });
    const [password] = FLOWS;
    await password!.signIn(podioClient(server, manager, password!));
    const legacy = new (realPodio())(password!.auth, { sessionStore: manager, apiURL: server.url });
    await legacy.isAuthenticated();
    await expect(legacy.request("get", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);
  });
});
