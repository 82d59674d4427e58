import { createRequire } from "node:module";
import { createSessionManager, type SessionManager } from "@sessionstore/core";
import { afterAll, describe, expect, it } from "vitest";
import { makeClient, platform } from "./helpers.js";
import { crossProcessBackends, memoryBackend } from "./stores.js";

interface PodioInstance {
  authenticateWithCredentials(username: string, password: string, callback: (error: unknown) => void): void;
  isAuthenticated(): Promise<void>;
  request(method: string, path: string, data?: unknown): Promise<unknown>;
}
type PodioConstructor = new (
  auth: { authType: string; clientId: string; clientSecret: string },
  options: { sessionStore: unknown; apiURL: string },
) => PodioInstance;

// The real, unmodified podio-js 1.6.1 (CommonJS).
const { api: Podio } = createRequire(import.meta.url)("podio-js") as { api: PodioConstructor };

const backends = [memoryBackend(), ...crossProcessBackends()];
afterAll(async () => {
  for (const backend of backends) await backend.cleanup();
});

const AUTH = { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" };

describe.each(backends)("podio-js 1.6.1 with our $name store as its sessionStore", (backend) => {
  it("persists on sign-in, restores in a second instance, refreshes into the store; our client reads it too", async () => {
    const server = await platform();
    const manager: SessionManager = createSessionManager(await backend.open(), {
      subject: `podio-${Math.random().toString(36).slice(2)}`,
    });
    const first = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await new Promise<void>((resolve, reject) =>
      first.authenticateWithCredentials("demo", "demo-password", (error) =>
        error === null ? resolve() : reject(error),
      ),
    );
    const stored = await manager.get("password");
    expect(stored).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600,
    });

    // A new instance restores from the store and calls the API without authenticating.
    const second = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await second.isAuthenticated();
    expect(await second.request("get", "/user/status")).toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);

    // After expiry podio-js refreshes (on the 401) and the store holds the new pair.
    server.expireAccessTokens();
    expect(await second.request("get", "/items/3")).toMatchObject({ item_id: "3" });
    expect(server.stats.refreshCalls).toBe(1);
    const renewed = await manager.get("password");
    expect(renewed?.accessToken).not.toBe(stored?.accessToken);
    expect(renewed?.refreshToken).not.toBe(stored?.refreshToken);

    // Our client, on the same store, uses what podio-js wrote (no fingerprint: written by podio-js).
    const ours = makeClient(server, { sessionStore: manager });
    await expect(ours.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(2);
  });

  it("a session our client saved is restored by podio-js", async () => {
    const server = await platform();
    const manager = createSessionManager(await backend.open(), {
      subject: `ours-${Math.random().toString(36).slice(2)}`,
    });
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    const podio = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await podio.isAuthenticated();
    expect(await podio.request("get", "/user/status")).toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);
  });
});
