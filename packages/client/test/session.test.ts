import { createHash } from "node:crypto";
import { type AuthType, createMemoryStore, createSessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import {
  configFingerprint,
  type PlatformAuthOptions,
  type PlatformClientEvents,
  type PlatformClientOptions,
} from "../src/index.js";
import { makeClient, PASSWORD_AUTH, platform } from "./support/harness.js";

describe("sessionStore accepts a manager, a bare store or a podio-style store", () => {
  it("a bare SessionStore", async () => {
    const server = await platform();
    const store = createMemoryStore();
    await makeClient(server, { sessionStore: store }).authenticateWithCredentials("demo", "demo-password");
    expect(await store.get("sessionstore:default:password")).toMatchObject({ fingerprint: expect.any(String) });
    const again = makeClient(server, { sessionStore: store });
    expect(await again.isAuthenticated()).toBe(true);
  });

  it("a legacy store with synchronous callbacks, `{}` for empty and a set that never calls back", async () => {
    const server = await platform();
    const saved = new Map<string, object>();
    const legacy = {
      get(authType: AuthType, callback: (auth: object) => void) {
        callback(saved.get(authType) ?? {});
      },
      set(auth: object, authType: AuthType) {
        if (Object.keys(auth).length === 0) saved.delete(authType);
        else saved.set(authType, JSON.parse(JSON.stringify(auth)) as object);
      },
    };
    const client = makeClient(server, { sessionStore: legacy });
    await client.authenticateWithCredentials("demo", "demo-password");
    expect(saved.get("password")).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    const restored = makeClient(server, { sessionStore: legacy });
    expect(await restored.isAuthenticated()).toBe(true);
    server.expireAccessTokens();
    await restored.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
    await restored.logout();
    expect(saved.has("password")).toBe(false);
  });

  it("a podio-js written session (no fingerprint, expiresIn only) is used", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const first = makeClient(server, { sessionStore: createSessionManager(createMemoryStore()) });
    await first.authenticateWithCredentials("demo", "demo-password");
    const auth = await first.sessionManager.get("password");
    await manager.set(
      { accessToken: auth?.accessToken, refreshToken: auth?.refreshToken, expiresIn: 3600, ref: null },
      "password",
    );
    const client = makeClient(server, { sessionStore: manager });
    await expect(client.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);
  });
});

describe("config fingerprint", () => {
  it("a changed client secret, token, authorize or revoke URL, scope, client id or audience: the session is not used and is deleted", async () => {
    const server = await platform();
    const changes: [string, Partial<PlatformClientOptions>, PlatformAuthOptions][] = [
      ["client secret", {}, { ...PASSWORD_AUTH, clientSecret: "rotated-secret" }],
      ["token URL", { tokenURL: `${server.url}/v2/oauth/token` }, PASSWORD_AUTH],
      ["authorize URL", { authorizeURL: `${server.url}/v2/oauth/authorize` }, PASSWORD_AUTH],
      ["revoke URL", { revokeURL: `${server.url}/oauth/revoke` }, PASSWORD_AUTH],
      ["scope", {}, { ...PASSWORD_AUTH, scope: "items:read" }],
      ["client id", {}, { ...PASSWORD_AUTH, clientId: "other-client" }],
      ["audience", {}, { ...PASSWORD_AUTH, audience: "https://api.other" }],
    ];
    for (const [what, options, auth] of changes) {
      const store = createMemoryStore();
      const manager = createSessionManager(store);
      await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
      expect(store.list("")).toHaveLength(1);
      const changed = makeClient(server, { sessionStore: manager, ...options }, auth);
      await changed.ready;
      expect(await changed.isAuthenticated(), what).toBe(false);
      await expect(changed.request("GET", "/user/status"), what).rejects.toMatchObject({
        code: "ERR_NOT_AUTHENTICATED",
      });
      expect(store.list(""), `${what}: the old record is gone from the store`).toEqual([]);
    }
  });

  it("the same configuration keeps its session, and a session written by 0.1.0 (v1 fingerprint) survives the upgrade", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    const same = makeClient(server, { sessionStore: manager });
    expect(await same.isAuthenticated()).toBe(true);

    // What 0.1.0 stored: SHA-256 of [tokenURL, clientId, scope, audience], prefixed v1.
    const stored = await manager.read("password");
    const v1 = `v1:${createHash("sha256")
      .update(JSON.stringify([`${server.url}/oauth/token`, PASSWORD_AUTH.clientId, "", ""]))
      .digest("hex")}`;
    await manager.write("password", stored?.auth ?? {}, { fingerprint: v1 });
    const upgraded = makeClient(server, { sessionStore: manager });
    await expect(upgraded.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect((await manager.read("password"))?.fingerprint).toBe(v1);
    // A v1 record of another client id is another configuration: deleted.
    const otherV1 = `v1:${createHash("sha256")
      .update(JSON.stringify([`${server.url}/oauth/token`, "other", "", ""]))
      .digest("hex")}`;
    await manager.write("password", stored?.auth ?? {}, { fingerprint: otherV1 });
    const fresh = makeClient(server, { sessionStore: manager });
    expect(await fresh.isAuthenticated()).toBe(false);
    expect(await manager.read("password")).toBeUndefined();
    expect(server.stats.tokenCalls).toBe(1);
  });

  it("a record of the new configuration written meanwhile by another process is kept", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    const rotated = { ...PASSWORD_AUTH, clientSecret: "rotated-secret" };
    // Hold the lock as a process of the new configuration would while it signs in.
    const release = await manager.lock("password", { ttlMs: 10_000, waitMs: 0 });
    const changed = makeClient(server, { sessionStore: manager }, rotated);
    const old = await manager.read("password");
    const newConfig = configFingerprint({
      tokenURL: `${server.url}/oauth/token`,
      authorizeURL: `${server.url}/oauth/authorize`,
      clientId: rotated.clientId,
      clientSecret: rotated.clientSecret,
    });
    await manager.write("password", old?.auth ?? {}, { fingerprint: newConfig });
    await release();
    await changed.ready;
    expect(await changed.isAuthenticated()).toBe(true);
  });
});

describe("subjects", () => {
  it("scopes sessions per user; manager.clear() signs every user out", async () => {
    const server = await platform({ users: { alice: "a-password", bob: "b-password" } });
    const manager = createSessionManager(createMemoryStore());
    const alice = makeClient(server, { sessionStore: manager, subject: "alice" });
    const bob = makeClient(server, { sessionStore: manager, subject: "bob" });
    await alice.authenticateWithCredentials("alice", "a-password");
    await bob.authenticateWithCredentials("bob", "b-password");
    expect(await alice.request("GET", "/user/status")).toMatchObject({ user: { username: "alice" } });
    expect(await bob.request("GET", "/user/status")).toMatchObject({ user: { username: "bob" } });
    expect((await manager.list()).map((info) => info.subject).sort()).toEqual(["alice", "bob"]);
    expect(await makeClient(server, { sessionStore: manager }).isAuthenticated()).toBe(false);

    // "Revoke for all users" (locally): every session in the namespace goes.
    expect(await manager.clear()).toBe(2);
    expect(await alice.isAuthenticated()).toBe(false);
    // A running client keeps its access token in memory until it expires; it cannot renew it.
    await bob.request("GET", "/user/status");
    server.expireAccessTokens();
    await expect(bob.request("GET", "/user/status")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
    expect(server.stats.refreshCalls).toBe(0);
  });
});

describe("logout", () => {
  it("revokes at the server (RFC 7009), deletes the session, emits 'logout'", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager, revokeURL: `${server.url}/oauth/revoke` });
    const events: PlatformClientEvents["logout"][] = [];
    client.on("logout", (event) => events.push(event));
    await client.authenticateWithCredentials("demo", "demo-password");
    const auth = await manager.get("password");
    expect(await client.logout()).toEqual({ revoked: true });
    expect(await manager.get("password")).toBeUndefined();
    expect(events).toEqual([{ reason: "logout", revoked: true }]);
    expect(server.stats.revokeCalls).toBe(2);
    // The revoked tokens are dead at the server too.
    const api = await fetch(`${server.url}/user/status`, { headers: { authorization: `Bearer ${auth?.accessToken}` } });
    expect(api.status).toBe(401);
    const refresh = await fetch(`${server.url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: auth?.refreshToken ?? "",
        client_id: "demo-client",
        client_secret: "demo-secret",
      }),
    });
    expect(await refresh.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("deletes locally even when revocation fails, and reports why", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager, revokeURL: `${server.url}/oauth/revoke` });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.injectFault({ kind: "status", status: 503, on: "revoke" });
    const result = await client.logout();
    expect(result).toMatchObject({ revoked: false, revokeError: { code: "ERR_SERVER", status: 503 } });
    expect(await manager.get("password")).toBeUndefined();
  });

  it("without revokeURL only deletes", async () => {
    const server = await platform();
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    expect(await client.logout()).toEqual({ revoked: false });
    expect(server.stats.revokeCalls).toBe(0);
    expect(await client.isAuthenticated()).toBe(false);
  });

  it("a session deleted elsewhere is not resurrected by a refresh", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const client = makeClient(server, { sessionStore: manager });
    await client.authenticateWithCredentials("demo", "demo-password");
    await manager.delete("password");
    server.expireAccessTokens();
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
    expect(server.stats.refreshCalls).toBe(0);
    expect(await manager.get("password")).toBeUndefined();
  });
});

describe("store failures", () => {
  it("a store that fails at start rejects ready (handled), and the next call retries the restore", async () => {
    const server = await platform();
    const inner = createMemoryStore();
    let down = true;
    const flaky = {
      ...inner,
      capabilities: inner.capabilities,
      get: (key: string) => (down ? Promise.reject(new Error("backend down")) : inner.get(key)),
    };
    const client = makeClient(server, { sessionStore: flaky });
    await expect(client.ready).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    down = false;
    expect(await client.isAuthenticated()).toBe(false);
  });
});
