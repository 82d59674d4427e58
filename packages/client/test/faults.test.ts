import { inspect } from "node:util";
import { createMemoryStore, createSessionManager, type SessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { isPlatformApiError, type PlatformClientEvents } from "../src/index.js";
import { makeClient, platform, tokensIn } from "./support/harness.js";

async function signedIn(
  options: Parameters<typeof platform>[0] = {},
  clientOptions: Parameters<typeof makeClient>[1] = {},
) {
  const server = await platform(options);
  const manager = createSessionManager(createMemoryStore());
  // Long enough for a sign-in on a loaded machine; the "hang" fault still times out.
  const client = makeClient(server, { sessionStore: manager, tokenTimeoutMs: 2_000, ...clientOptions });
  const failures: PlatformClientEvents["refreshFailed"][] = [];
  const logouts: PlatformClientEvents["logout"][] = [];
  client.on("refreshFailed", (event) => failures.push(event));
  client.on("logout", (event) => logouts.push(event));
  await client.authenticateWithCredentials("demo", "demo-password");
  return { server, manager, client, failures, logouts, tokens: await manager.get("password") };
}

async function expectKept(manager: SessionManager, tokens: unknown) {
  expect(await manager.get("password")).toEqual(tokens);
}

describe("transient refresh failures keep the tokens; the next call retries", () => {
  for (const fault of [
    { kind: "status", status: 503 },
    { kind: "status", status: 500 },
    { kind: "hang" },
    { kind: "reset" },
  ] as const) {
    it(`${fault.kind}${"status" in fault ? ` ${fault.status}` : ""}`, async () => {
      const { server, manager, client, failures, tokens } = await signedIn();
      server.expireAccessTokens();
      server.injectFault({ ...fault, grant: "refresh_token" });
      const error = await client.request("GET", "/items/1").catch((e: unknown) => e);
      expect(isPlatformApiError(error) && error.transient).toBe(true);
      const expected = fault.kind === "hang" ? "ERR_TIMEOUT" : fault.kind === "reset" ? "ERR_NETWORK" : "ERR_SERVER";
      expect(error).toMatchObject({ code: expected });
      expect(failures).toEqual([{ reason: "transient", cleared: false, error }]);
      await expectKept(manager, tokens);
      await expect(client.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
      expect(server.stats.refreshCalls).toBe(2);
      expect(server.stats.reuseDetected).toBe(0);
    });
  }

  it("an early refresh that fails transiently goes on with the still-valid token", async () => {
    const server = await platform({ accessTokenLifetime: 600 });
    let now = Date.now();
    const client = makeClient(server, { now: () => now, refreshMarginMs: 120_000 });
    await client.authenticateWithCredentials("demo", "demo-password");
    now += 500_000;
    server.injectFault({ kind: "status", status: 502 });
    await expect(client.request("GET", "/items/1")).resolves.toMatchObject({ item_id: "1" });
    expect(server.stats.refreshCalls).toBe(1);
  });

  it("an API 5xx is ERR_SERVER and leaves the session alone", async () => {
    const { server, manager, client, tokens } = await signedIn();
    server.injectFault({ kind: "status", status: 503, on: "api" });
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_SERVER", status: 503 });
    await expectKept(manager, tokens);
    expect(server.stats.tokenCalls).toBe(1);
  });
});

describe("a response lost after rotation", () => {
  it("stores no mismatched pair; the spent token then ends the session cleanly", async () => {
    const { server, manager, client, failures, logouts, tokens } = await signedIn();
    server.expireAccessTokens();
    server.injectFault({ kind: "drop-after-rotation", grant: "refresh_token" });
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_NETWORK" });
    // The old pair, whole: never the new access token with the old refresh token or the reverse.
    await expectKept(manager, tokens);
    // The server rotated: presenting the old refresh token again is reuse, answered invalid_grant.
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
    expect(server.stats.reuseDetected).toBe(1);
    expect(await manager.get("password")).toBeUndefined();
    expect(failures.map((f) => [f.reason, f.cleared])).toEqual([
      ["transient", false],
      ["terminal", true],
    ]);
    expect(logouts).toEqual([{ reason: "invalid_grant", revoked: false }]);
  });
});

describe("invalid_grant", () => {
  it("clears the session (after the re-read) and says so", async () => {
    const { server, manager, client, failures } = await signedIn();
    server.revokeAllRefreshTokens();
    server.expireAccessTokens();
    const error = await client.request("GET", "/items/1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SESSION_EXPIRED", oauthError: "invalid_grant", status: 400 });
    expect(await manager.get("password")).toBeUndefined();
    expect(await client.isAuthenticated()).toBe(false);
    expect(failures).toEqual([{ reason: "terminal", cleared: true, error }]);
  });

  it("adopts a pair written by someone else while its own refresh was refused", async () => {
    const server = await platform({ revokeFamilyOnReuse: false });
    const manager = createSessionManager(createMemoryStore());
    // Stands in for another process without a shared lock: it rotates the pair while we are about to.
    const other = makeClient(server, { sessionStore: createSessionManager(createMemoryStore()) });
    let raced = false;
    const client = makeClient(server, {
      sessionStore: manager,
      onTokenWillRefresh: async () => {
        if (raced) return;
        raced = true;
        const stale = await manager.read("password");
        await other.sessionManager.write("password", stale?.auth ?? {}, { fingerprint: stale?.fingerprint ?? "" });
        await other.ready;
        await other.request("GET", "/status/401").catch(() => undefined);
        const rotated = await other.sessionManager.read("password");
        await manager.write("password", rotated?.auth ?? {}, { fingerprint: rotated?.fingerprint ?? "" });
      },
    });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    await expect(client.request("GET", "/items/1")).resolves.toMatchObject({ item_id: "1" });
    expect(server.stats.invalidGrant).toBe(1);
    expect(await manager.get("password")).toBeDefined();
  });
});

describe("no token ever appears in errors, events or inspect output", () => {
  it("checks every failure path", async () => {
    const { server, manager, client } = await signedIn();
    const secrets = [...(await tokensIn(manager)), "demo-secret", "demo-password"];
    const seen: unknown[] = [client, await client.session()];
    client.on("refreshFailed", (event) => seen.push(event));
    client.on("refresh", (event) => seen.push(event));
    client.on("tokens", (event) => seen.push(event));
    seen.push(await client.request("GET", "/status/404").catch((e: unknown) => e));
    server.expireAccessTokens();
    server.injectFault({ kind: "status", status: 503 });
    seen.push(await client.request("GET", "/items/1").catch((e: unknown) => e));
    server.injectFault({ kind: "reset" });
    seen.push(await client.request("GET", "/items/1").catch((e: unknown) => e));
    server.injectFault({ kind: "hang" });
    seen.push(await client.request("GET", "/items/1").catch((e: unknown) => e));
    await client.request("GET", "/items/1");
    secrets.push(...(await tokensIn(manager)));
    server.revokeAllRefreshTokens();
    server.expireAccessTokens();
    seen.push(await client.request("GET", "/items/1").catch((e: unknown) => e));
    expect(seen.filter((value) => value instanceof Error)).toHaveLength(5);
    for (const value of seen) {
      const texts = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? "", String(value)];
      if (value instanceof Error) texts.push(value.message, value.stack ?? "");
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe("store failures around a refresh", () => {
  it("a failed write after rotation keeps the new pair in memory and persists it on the next call", async () => {
    const server = await platform();
    const inner = createMemoryStore();
    let failWrites = false;
    const flaky = {
      ...inner,
      capabilities: inner.capabilities,
      set: (key: string, record: Parameters<typeof inner.set>[1], options?: Parameters<typeof inner.set>[2]) =>
        failWrites ? Promise.reject(new Error("disk full")) : inner.set(key, record, options),
    };
    const manager = createSessionManager(flaky);
    const client = makeClient(server, { sessionStore: manager });
    const failures: PlatformClientEvents["refreshFailed"][] = [];
    client.on("refreshFailed", (event) => failures.push(event));
    await client.authenticateWithCredentials("demo", "demo-password");
    const before = await manager.get("password");
    server.expireAccessTokens();
    failWrites = true;
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    expect(failures.map((f) => [f.reason, f.cleared, f.error.code])).toEqual([
      ["transient", false, "ERR_STORE_UNAVAILABLE"],
    ]);
    // The store still has the old (now rotated) pair; the client did not forget the new one.
    expect((await manager.get("password"))?.refreshToken).toBe(before?.refreshToken);
    failWrites = false;
    await expect(client.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
    const after = await manager.get("password");
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(server.stats.refreshCalls).toBe(1);
    // And the persisted pair is the live one: the next refresh is not reuse.
    server.expireAccessTokens();
    await client.request("GET", "/items/3");
    expect(server.stats.reuseDetected).toBe(0);
  });

  it("a store that cannot be read during a refresh is a transient failure; tokens kept", async () => {
    const server = await platform();
    const inner = createMemoryStore();
    let failReads = false;
    const flaky = {
      ...inner,
      capabilities: inner.capabilities,
      get: (key: string) => (failReads ? Promise.reject(new Error("connection refused")) : inner.get(key)),
    };
    const client = makeClient(server, { sessionStore: flaky });
    const failures: PlatformClientEvents["refreshFailed"][] = [];
    client.on("refreshFailed", (event) => failures.push(event));
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    failReads = true;
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    expect(failures.map((f) => f.reason)).toEqual(["transient"]);
    expect(server.stats.refreshCalls).toBe(0);
    failReads = false;
    await expect(client.request("GET", "/items/1")).resolves.toMatchObject({ item_id: "1" });
    expect(server.stats.refreshCalls).toBe(1);
  });
});

describe("API timeouts and aborts", () => {
  it("a hung API call is ERR_TIMEOUT; an aborted one ERR_ABORTED; the session stays", async () => {
    const { server, manager, client, tokens } = await signedIn({}, { timeoutMs: 200 });
    server.injectFault({ kind: "hang", on: "api" });
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_TIMEOUT", transient: true });
    server.injectFault({ kind: "hang", on: "api" });
    const controller = new AbortController();
    const pending = client.request("GET", "/items/2", undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: "ERR_ABORTED", transient: false });
    await expectKept(manager, tokens);
    expect(server.stats.tokenCalls).toBe(1);
  });
});
