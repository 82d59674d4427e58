import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import type { FakePlatform } from "@sessionstore/testkit/platform";
import { describe, expect, it } from "vitest";
import {
  definePlatformProfile,
  PLATFORM_ERROR_CODES,
  type PlatformAuthOptions,
  PlatformClient,
  type PlatformClientOptions,
  podio,
} from "../src/index.js";
import { PASSWORD_AUTH, platform } from "./support/harness.js";

const APP_AUTH: PlatformAuthOptions = { authType: "app", clientId: "demo-client", clientSecret: "demo-secret" };

/** The real fetch, recording each request's URL and Authorization header first. */
function recordingFetch() {
  const sent: { url: string; authorization: string | null }[] = [];
  const fetchImpl: typeof globalThis.fetch = (input, init) => {
    sent.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization") });
    return globalThis.fetch(input, init);
  };
  return { sent, fetch: fetchImpl };
}

function requestsReaching(server: FakePlatform): number {
  const { tokenCalls, apiCalls, authorizeCalls, revokeCalls } = server.stats;
  return tokenCalls + apiCalls + authorizeCalls + revokeCalls;
}

function expectInvalid(action: () => unknown, field: string): void {
  expect(action).toThrow(expect.objectContaining({ code: PLATFORM_ERROR_CODES.ERR_INVALID_ARGUMENT, field }));
}

describe("authenticateWithApp: bad input is refused before any request", () => {
  const cases: [string, unknown, unknown][] = [
    ["appId", undefined, "demo-app-token"],
    ["appId", "", "demo-app-token"],
    ["appId", "   ", "demo-app-token"],
    ["appId", 0, "demo-app-token"],
    ["appId", Number.NaN, "demo-app-token"],
    ["appId", { id: 1001 }, "demo-app-token"],
    ["appToken", 1001, undefined],
    ["appToken", 1001, ""],
    ["appToken", "1001", 42],
  ];
  it.each(cases)("%s wrong: authenticateWithApp(%o, %o)", async (field, appId, appToken) => {
    const server = await platform({ podio: true });
    const recorder = recordingFetch();
    const manager = createSessionManager(createMemoryStore());
    const client = new PlatformClient(APP_AUTH, {
      platform: podio({ apiURL: server.url }),
      sessionStore: manager,
      fetch: recorder.fetch,
    });
    await expect(client.authenticateWithApp(appId as string, appToken as string)).rejects.toMatchObject({
      name: "PlatformApiError",
      code: "ERR_INVALID_ARGUMENT",
      field,
    });
    expect(recorder.sent).toEqual([]);
    expect(requestsReaching(server)).toBe(0);
    expect(await manager.get("app")).toBeUndefined();
  });

  it("a valid app id (number or string) and token sign in with grant_type=app", async () => {
    const server = await platform({ podio: { apps: { "77": "token-77", "1001": "t" } } });
    const client = new PlatformClient(APP_AUTH, { platform: podio({ apiURL: server.url }) });
    await expect(client.authenticateWithApp("77", "token-77")).resolves.toMatchObject({ authType: "app" });
    await expect(client.authenticateWithApp(77, "wrong")).rejects.toMatchObject({
      code: "ERR_TOKEN_REQUEST",
      oauthError: "invalid_grant",
    });
    expect(server.stats.byGrant).toEqual({ app: 2 });
  });

  it("does not fit a client without an app grant, nor another auth type; client credentials is not Podio's", async () => {
    const server = await platform({ podio: true });
    const generic = new PlatformClient(APP_AUTH, { apiURL: server.url });
    await expect(generic.authenticateWithApp(1001, "demo-app-token")).rejects.toMatchObject({
      code: "ERR_UNSUPPORTED",
    });
    const password = new PlatformClient(PASSWORD_AUTH, { platform: podio({ apiURL: server.url }) });
    await expect(password.authenticateWithApp(1001, "demo-app-token")).rejects.toMatchObject({
      code: "ERR_UNSUPPORTED",
    });
    const app = new PlatformClient(APP_AUTH, { platform: podio({ apiURL: server.url }) });
    await expect(app.authenticateWithClientCredentials()).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
    expect(requestsReaching(server)).toBe(0);
  });
});

describe("podio() options and the platform option are checked at construction", () => {
  it("names the podio() option of the wrong type or name", () => {
    expectInvalid(() => podio({ apiURL: 42 as unknown as string }), "platform.apiURL");
    expectInvalid(() => podio({ apiURL: "ftp://api.podio.com" }), "platform.apiURL");
    expectInvalid(() => podio({ apiURL: "not a url" }), "platform.apiURL");
    expectInvalid(() => podio({ authorizeURL: {} as unknown as string }), "platform.authorizeURL");
    expectInvalid(() => podio({ apiUrl: "https://api.podio.com" } as never), "platform.apiUrl");
    expectInvalid(() => podio("https://api.podio.com" as never), "platform");
    expectInvalid(() => podio(null as never), "platform");
    expectInvalid(() => definePlatformProfile({ name: "x", shouldRefresh: 1 as never }), "platform.shouldRefresh");
    expectInvalid(
      () => definePlatformProfile({ name: "x", appGrant: { grantType: "app", idParam: "app_id" } as never }),
      "platform.appGrant.tokenParam",
    );
  });

  it("refuses a platform not made by a profile factory", () => {
    const forged: unknown[] = [
      { ...podio() },
      { name: "podio", apiURL: "https://api.podio.com", authScheme: "OAuth2" },
      "podio",
      podio,
    ];
    for (const value of forged) {
      expectInvalid(
        () => new PlatformClient(PASSWORD_AUTH, { platform: value } as unknown as PlatformClientOptions),
        "options.platform",
      );
    }
    expectInvalid(
      () => new PlatformClient(PASSWORD_AUTH, { platform: podio(), shouldRefresh: "yes" } as never),
      "options.shouldRefresh",
    );
    expectInvalid(() => new PlatformClient(PASSWORD_AUTH, {}), "options.apiURL");
  });

  it("defaults to Podio's API, token endpoint and authorization page; a profile is frozen", async () => {
    expect(podio()).toMatchObject({
      name: "podio",
      apiURL: "https://api.podio.com",
      authorizeURL: "https://podio.com/oauth/authorize",
      authScheme: "OAuth2",
    });
    expect(Object.isFrozen(podio())).toBe(true);
    expect(podio({ apiURL: "https://api.example.test/" }).authorizeURL).toBe("https://example.test/oauth/authorize");
    const server = new PlatformClient(
      { authType: "server", clientId: "demo-client", clientSecret: "s" },
      { platform: podio() },
    );
    expect(server.getAuthorizationURL("https://app.test/cb", { state: "state-12345" })).toMatch(
      /^https:\/\/podio\.com\/oauth\/authorize\?/,
    );
    const overridden = new PlatformClient(
      { authType: "server", clientId: "demo-client", clientSecret: "s" },
      { platform: podio(), authorizeURL: "https://login.example.test/authorize" },
    );
    expect(overridden.getAuthorizationURL("https://app.test/cb", { state: "state-12345" })).toMatch(
      /^https:\/\/login\.example\.test\/authorize\?/,
    );
    // No network here: the recording fetch sees the URL, then the call fails (an unroutable port).
    const recorder = recordingFetch();
    const client = new PlatformClient(PASSWORD_AUTH, {
      platform: podio(),
      fetch: (input, init) => {
        recorder.sent.push({ url: String(input), authorization: null });
        return globalThis.fetch("http://127.0.0.1:9/", init);
      },
      tokenTimeoutMs: 5_000,
    });
    await expect(client.authenticateWithCredentials("demo", "pw")).rejects.toMatchObject({ transient: true });
    expect(recorder.sent.map(({ url }) => url)).toEqual(["https://api.podio.com/oauth/token"]);
  });
});

describe("the header, and explicit client options over the profile", () => {
  it("sends Authorization: OAuth2 <token>; an explicit authScheme wins (and Podio mode refuses Bearer)", async () => {
    const server = await platform({ podio: true });
    const recorder = recordingFetch();
    const manager = createSessionManager(createMemoryStore());
    const client = new PlatformClient(PASSWORD_AUTH, {
      platform: podio({ apiURL: server.url }),
      sessionStore: manager,
      fetch: recorder.fetch,
    });
    await client.authenticateWithCredentials("demo", "demo-password");
    await client.request("GET", "/user/status");
    const token = (await manager.get("password"))?.accessToken;
    expect(recorder.sent.at(-1)).toEqual({ url: `${server.url}/user/status`, authorization: `OAuth2 ${token}` });

    const bearer = new PlatformClient(PASSWORD_AUTH, {
      platform: podio({ apiURL: server.url }),
      sessionStore: manager,
      authScheme: "Bearer",
      fetch: recorder.fetch,
    });
    server.resetStats();
    await expect(bearer.request("GET", "/user/status")).rejects.toMatchObject({
      code: "ERR_UNAUTHORIZED",
      oauthError: "unauthorized",
    });
    expect(recorder.sent.at(-1)?.authorization).toBe(`Bearer ${token}`);
    // Podio's answer to a missing OAuth2 token does not name the token: no refresh.
    expect(server.stats.tokenCalls).toBe(0);
  });

  it("an explicit apiURL (and so token URL) and shouldRefresh win over podio()'s", async () => {
    const server = await platform({ podio: true });
    const client = new PlatformClient(PASSWORD_AUTH, {
      platform: podio(),
      apiURL: server.url,
      shouldRefresh: () => false,
    });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    await expect(client.request("GET", "/user/status")).rejects.toMatchObject({
      code: "ERR_UNAUTHORIZED",
      oauthError: "invalid_token",
      errorDescription: "expired_token",
    });
    expect(server.stats.refreshCalls).toBe(0);
  });

  it("an app session without a refresh token is not renewed by a grant Podio lacks: ERR_SESSION_EXPIRED, no token call", async () => {
    const server = await platform({ podio: true });
    const manager = createSessionManager(createMemoryStore());
    await manager.set({ accessToken: "forged-or-expired-0001", expiresIn: 3600 }, "app");
    const client = new PlatformClient(APP_AUTH, { platform: podio({ apiURL: server.url }), sessionStore: manager });
    await expect(client.request("GET", "/user/status")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
    expect(server.stats.tokenCalls).toBe(0);
  });
});
