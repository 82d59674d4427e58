import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import {
  codeChallengeS256,
  createCodeVerifier,
  createState,
  isPlatformApiError,
  PlatformClient,
} from "../src/index.js";
import { makeClient, PASSWORD_AUTH, platform } from "./support/harness.js";

/** Follows the authorize URL like a browser would (the fake platform approves at once). */
async function authorize(url: string): Promise<string> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return response.headers.get("location") ?? "";
}

describe("password flow", () => {
  it("signs in, persists with a fingerprint, calls the API", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager });
    await client.ready;
    expect(await client.isAuthenticated()).toBe(false);
    const session = await client.authenticateWithCredentials("demo", "demo-password");
    expect(session).toMatchObject({ authType: "password", subject: "default", refreshable: true });
    expect(JSON.stringify(session)).not.toMatch(/fp1\.|rt_/);
    expect(await client.isAuthenticated()).toBe(true);
    const stored = await manager.read("password");
    expect(stored?.fingerprint).toMatch(/^v2:[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(stored?.auth.refreshToken).toMatch(/^rt_/);
    const status = await client.request<{ user: { username: string } }>("GET", "/user/status");
    expect(status.user.username).toBe("demo");
    expect(server.stats.byGrant).toEqual({ password: 1 });
  });

  it("restores the session in a new client: zero token calls", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    const calls = server.stats.tokenCalls;
    const second = makeClient(server, { sessionStore: manager });
    await second.ready;
    expect(await second.isAuthenticated()).toBe(true);
    await second.request("GET", "/user/status");
    expect(server.stats.tokenCalls).toBe(calls);
  });

  it("a wrong password is ERR_TOKEN_REQUEST invalid_grant, never echoing the password", async () => {
    const server = await platform();
    const client = makeClient(server);
    const error = await client.authenticateWithCredentials("demo", "hunter2-wrong").catch((e: unknown) => e);
    expect(isPlatformApiError(error, "ERR_TOKEN_REQUEST")).toBe(true);
    expect(error).toMatchObject({ status: 400, oauthError: "invalid_grant" });
    expect(JSON.stringify(error) + String(error)).not.toContain("hunter2-wrong");
    expect(await client.isAuthenticated()).toBe(false);
  });

  it("a wrong client secret is invalid_client; client_secret_basic works", async () => {
    const server = await platform();
    const bad = makeClient(server, {}, { ...PASSWORD_AUTH, clientSecret: "nope" });
    await expect(bad.authenticateWithCredentials("demo", "demo-password")).rejects.toMatchObject({
      code: "ERR_TOKEN_REQUEST",
      oauthError: "invalid_client",
      status: 401,
    });
    const basic = makeClient(server, { clientAuthMethod: "client_secret_basic" });
    await basic.authenticateWithCredentials("demo", "demo-password");
    expect(await basic.isAuthenticated()).toBe(true);
  });

  it("requests without a session fail with ERR_NOT_AUTHENTICATED and reach no server", async () => {
    const server = await platform();
    const client = makeClient(server);
    await expect(client.request("GET", "/user/status")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
    expect(server.stats.apiCalls).toBe(0);
  });

  it("refuses flows that do not fit the auth type", async () => {
    const server = await platform();
    const client = makeClient(server);
    await expect(client.authenticateWithClientCredentials()).rejects.toThrow(/needs auth type 'app'/);
    expect(() => client.getAuthorizationURL("http://localhost/cb", { state: createState() })).toThrow(
      /'server' and 'client'/,
    );
  });
});

describe("client credentials ('app')", () => {
  it("signs in, and renews with client_credentials when there is no refresh token", async () => {
    const server = await platform();
    const client = makeClient(server, {}, { authType: "app", clientId: "demo-client", clientSecret: "demo-secret" });
    const session = await client.authenticateWithClientCredentials();
    expect(session.refreshable).toBe(false);
    await client.request("GET", "/items/1");
    server.expireAccessTokens();
    await client.request("GET", "/items/2");
    expect(server.stats.byGrant).toEqual({ client_credentials: 2 });
  });
});

describe("authorization code ('server')", () => {
  const auth = { authType: "server", clientId: "demo-client", clientSecret: "demo-secret" } as const;

  it("code flow with PKCE: URL, redirect, exchange, API", async () => {
    const server = await platform();
    const client = makeClient(server, {}, auth);
    const state = createState();
    const codeVerifier = createCodeVerifier();
    const url = new URL(client.getAuthorizationURL("http://localhost:3000/cb", { state, codeVerifier }));
    expect(url.searchParams.get("code_challenge")).toBe(codeChallengeS256(codeVerifier));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const back = new URL(await authorize(url.toString()));
    expect(back.searchParams.get("state")).toBe(state);
    await client.getAccessToken(back.searchParams.get("code") ?? "", "http://localhost:3000/cb", { codeVerifier });
    expect(await client.request("GET", "/user/status")).toMatchObject({ user: { username: "demo" } });
  });

  it("a wrong code_verifier and a replayed code are refused", async () => {
    const server = await platform();
    const client = makeClient(server, {}, auth);
    const codeVerifier = createCodeVerifier();
    const back = new URL(
      await authorize(client.getAuthorizationURL("http://localhost/cb", { state: createState(), codeVerifier })),
    );
    const code = back.searchParams.get("code") ?? "";
    await expect(
      client.getAccessToken(code, "http://localhost/cb", { codeVerifier: createCodeVerifier() }),
    ).rejects.toMatchObject({ oauthError: "invalid_grant" });
    await client.getAccessToken(code, "http://localhost/cb", { codeVerifier });
    await expect(client.getAccessToken(code, "http://localhost/cb", { codeVerifier })).rejects.toMatchObject({
      oauthError: "invalid_grant",
    });
  });

  it("handleRedirect exchanges the code and checks state", async () => {
    const server = await platform();
    const client = makeClient(server, {}, auth);
    const state = createState();
    const location = await authorize(client.getAuthorizationURL("http://localhost/cb", { state }));
    await expect(client.handleRedirect(location, { state: createState() })).rejects.toMatchObject({
      code: "ERR_REDIRECT",
    });
    expect(await client.handleRedirect(location, { state })).toBe(true);
    expect(await client.isAuthenticated()).toBe(true);
    expect(await client.handleRedirect("http://localhost/cb")).toBe(false);
    await expect(client.handleRedirect("http://localhost/cb?error=access_denied&state=x")).rejects.toMatchObject({
      code: "ERR_REDIRECT",
      oauthError: "access_denied",
    });
  });
});

describe("browser client ('client')", () => {
  const auth = { authType: "client", clientId: "demo-public" } as const;

  it("always uses PKCE, exchanges the code as a public client, and refreshes", async () => {
    const server = await platform();
    const client = makeClient(server, {}, auth);
    // With no verifier given, one is created and recorded with the state.
    const generated = new URL(client.getAuthorizationURL("http://localhost/cb", { state: createState() }));
    expect(generated.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const codeVerifier = createCodeVerifier();
    const state = createState();
    const location = await authorize(client.getAuthorizationURL("http://localhost/cb", { state, codeVerifier }));
    await client.handleRedirect(location, { state, codeVerifier });
    server.expireAccessTokens();
    await client.request("GET", "/user/status");
    expect(server.stats.byGrant).toEqual({ authorization_code: 1, refresh_token: 1 });
  });

  it("accepts a legacy implicit redirect (#access_token=...), as podio-js did", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager }, auth);
    const state = createState();
    const location = await authorize(
      client.getAuthorizationURL("http://localhost/cb", { state, responseType: "token" }),
    );
    expect(new URL(location).hash).toMatch(/access_token=/);
    expect(await client.handleRedirect(location, { state })).toBe(true);
    expect(await client.request("GET", "/user/status")).toMatchObject({ user: { username: "demo" } });
    expect((await manager.get("client"))?.refreshToken).toBeUndefined();
    // Expired implicit token: nothing to refresh with, the caller must sign in again.
    server.expireAccessTokens();
    await expect(client.request("GET", "/user/status")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
  });

  it("reads the implicit redirect from location in isAuthenticated() and cleans the address bar", async () => {
    const server = await platform();
    const client = makeClient(server, {}, auth);
    const location = await authorize(
      client.getAuthorizationURL("http://localhost/cb", { state: createState(), responseType: "token" }),
    );
    const replaced: string[] = [];
    const globals = globalThis as { location?: unknown; history?: unknown };
    globals.location = new URL(location);
    globals.history = { replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) };
    try {
      expect(await client.isAuthenticated()).toBe(true);
      expect(replaced).toEqual(["http://localhost/cb"]);
    } finally {
      delete globals.location;
      delete globals.history;
    }
  });
});

describe("constructor validation", () => {
  it("names the bad field", () => {
    const ok = { apiURL: "http://127.0.0.1:1" };
    expect(() => new PlatformClient({ ...PASSWORD_AUTH, authType: "nope" as "app" }, ok)).toThrow(/auth.authType/);
    expect(() => new PlatformClient({ ...PASSWORD_AUTH, clientId: "" }, ok)).toThrow(/auth.clientId/);
    expect(() => new PlatformClient(PASSWORD_AUTH, { apiURL: "not a url" })).toThrow(/options.apiURL/);
    expect(() => new PlatformClient(PASSWORD_AUTH, { ...ok, refreshMarginMs: -1 })).toThrow(/refreshMarginMs/);
    expect(() => new PlatformClient(PASSWORD_AUTH, { ...ok, sessionStore: {} as never })).toThrow(/sessionStore/);
  });
});
