import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import type { PlatformClientEvents } from "../src/index.js";
import { makeClient, platform, recordingStore, testClock } from "./support/harness.js";

describe("refresh", () => {
  it("1,000 concurrent requests on a token expired by the clock make exactly one token call", async () => {
    const server = await platform({ accessTokenLifetime: 3600 });
    const clock = testClock();
    const client = makeClient(server, { now: clock.now });
    await client.authenticateWithCredentials("demo", "demo-password");
    clock.advance(3600_000);
    server.resetStats();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.request("GET", `/items/${i}`)));
    expect(results).toHaveLength(1000);
    expect(server.stats.tokenCalls).toBe(1);
    expect(server.stats.refreshCalls).toBe(1);
    // Refreshed before use: no request was sent with the old token.
    expect(server.stats.apiUnauthorized).toBe(0);
  });

  it("100 concurrent requests on a token the server expired: one refresh, each 401 retried once", async () => {
    const server = await platform();
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    server.resetStats();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.request("GET", `/items/${i}`)));
    expect(results).toHaveLength(100);
    expect(server.stats.tokenCalls).toBe(1);
    expect(server.stats.apiCalls).toBe(100 + server.stats.apiUnauthorized);
  });

  it("refreshes early, inside the margin, and not before", async () => {
    const server = await platform({ accessTokenLifetime: 600 });
    const clock = testClock();
    const client = makeClient(server, { now: clock.now, refreshMarginMs: 60_000 });
    await client.authenticateWithCredentials("demo", "demo-password");
    clock.advance(600_000 - 61_000);
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(0);
    clock.advance(2_000);
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.apiUnauthorized).toBe(0);
  });

  it("caps the margin at half the lifetime for short-lived tokens", async () => {
    const server = await platform({ accessTokenLifetime: 20 });
    const clock = testClock();
    const client = makeClient(server, { now: clock.now, refreshMarginMs: 60_000 });
    await client.authenticateWithCredentials("demo", "demo-password");
    await client.request("GET", "/items/1");
    await client.request("GET", "/items/2");
    expect(server.stats.refreshCalls).toBe(0);
    clock.advance(10_000);
    await client.request("GET", "/items/3");
    expect(server.stats.refreshCalls).toBe(1);
  });

  it("a 401 refreshes once and retries once; a second 401 is ERR_UNAUTHORIZED, not a loop", async () => {
    const server = await platform();
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
    server.resetStats();
    await expect(client.request("GET", "/status/401")).rejects.toMatchObject({ code: "ERR_UNAUTHORIZED", status: 401 });
    expect(server.stats.apiCalls).toBe(2);
    expect(server.stats.refreshCalls).toBe(1);
  });

  it("recognises podio's 401 with only error_description 'expired_token'", async () => {
    const server = await platform({ unauthorizedStyle: "expired_token" });
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    await expect(client.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.refreshCalls).toBe(1);
  });

  it("client.fetch attaches the token, retries a 401 once, returns non-2xx as a Response", async () => {
    const server = await platform();
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    const response = await client.fetch("/items/7", {
      method: "POST",
      body: JSON.stringify({ a: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ item_id: "7", body: { a: 1 } });
    expect((await client.fetch(`${server.url}/status/404`)).status).toBe(404);
    await expect(client.fetch("https://elsewhere.example/items/1")).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
  });

  it("keeps the old refresh token when the server returns none", async () => {
    const server = await platform({ rotateRefreshTokens: false });
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager });
    await client.authenticateWithCredentials("demo", "demo-password");
    const before = await manager.get("password");
    server.expireAccessTokens();
    await client.request("GET", "/items/1");
    const after = await manager.get("password");
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).toBe(before?.refreshToken);
    server.expireAccessTokens();
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(2);
  });

  it("adopts a pair another client already rotated instead of refreshing (which would be reuse)", async () => {
    const server = await platform();
    const store = createMemoryStore();
    const first = makeClient(server, { sessionStore: createSessionManager(store) });
    await first.authenticateWithCredentials("demo", "demo-password");
    const second = makeClient(server, { sessionStore: createSessionManager(store) });
    await second.ready;
    const adopted: PlatformClientEvents["refresh"][] = [];
    second.on("refresh", (event) => adopted.push(event));
    server.expireAccessTokens();
    await first.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
    // `second` still holds the rotated pair in memory: its 401 must lead to adoption, not reuse.
    await second.request("GET", "/items/2");
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    expect(adopted).toEqual([expect.objectContaining({ adopted: true, trigger: "unauthorized" })]);
  });

  it("persists the new pair before the request goes on and before the events fire", async () => {
    const server = await platform();
    const log: string[] = [];
    const manager = createSessionManager(recordingStore(log));
    const client = makeClient(server, {
      sessionStore: manager,
      onTokenWillRefresh: (info) => {
        log.push(`will-refresh:${info.trigger}`);
      },
      afterTokenRefreshed: async (auth) => {
        const stored = await manager.get("password");
        log.push(`after-refreshed:${stored?.accessToken === auth.accessToken ? "persisted" : "NOT persisted"}`);
      },
    });
    client.on("tokens", () => log.push("event:tokens"));
    client.on("refresh", () => log.push("event:refresh"));
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    const seen = await client.request<{ item_id: string }>("GET", "/items/1");
    expect(seen.item_id).toBe("1");
    expect(log).toEqual([
      "store:set",
      "event:tokens",
      "will-refresh:unauthorized",
      "store:set",
      "event:refresh",
      "after-refreshed:persisted",
    ]);
  });
});
