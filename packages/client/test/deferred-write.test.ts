import { createSessionManager, type JsonObject, type SessionStore, SessionStoreError } from "@sessionstore/core";
import type { FakePlatform } from "@sessionstore/testkit/platform";
import { describe, expect, it } from "vitest";
import { PlatformClient, type PlatformClientEvents, type PlatformClientOptions } from "../src/index.js";
import { PASSWORD_AUTH, platform } from "./support/harness.js";
import { type StoreBackend, withBackend } from "./support/stores.js";

/** A real store whose next `set` fails (once, when armed) and whose lock release can be made to reject. */
function faulty(inner: SessionStore) {
  const faults = { failNextSet: false, releaseRejects: false };
  const store: SessionStore = {
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    async set(key: string, record: JsonObject, options) {
      if (faults.failNextSet) {
        faults.failNextSet = false;
        throw new Error("disk I/O error");
      }
      await inner.set(key, record, options);
    },
    delete: (key) => inner.delete(key),
    async lock(key, options) {
      const release = await (inner.lock as NonNullable<SessionStore["lock"]>)(key, options);
      return async () => {
        // A stalled backend: the release never reaches it; the lease frees the lock.
        if (faults.releaseRejects) throw new SessionStoreError("ERR_STORE_UNAVAILABLE", "release timed out");
        await release();
      };
    },
    list: (prefix) => (inner.list as NonNullable<SessionStore["list"]>)(prefix),
    close: () => inner.close(),
  };
  return { store, faults };
}

/** `fetch` that remembers the token endpoint's answers (to learn the pair a client holds). */
function recordingFetch(answers: JsonObject[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).endsWith("/oauth/token") && response.ok)
      answers.push((await response.clone().json()) as JsonObject);
    return response;
  };
}

async function refreshWith(server: FakePlatform, refreshToken: string): Promise<number> {
  const response = await fetch(server.tokenURL, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: "demo-client",
      client_secret: "demo-secret",
    }),
  });
  await response.body?.cancel();
  return response.status;
}

function client(server: FakePlatform, store: SessionStore, options: Partial<PlatformClientOptions> = {}) {
  return new PlatformClient(PASSWORD_AUTH, { apiURL: server.url, sessionStore: store, refreshJitterMs: 0, ...options });
}

/** A signs in; B (same backend, its own store instance) refreshes while its write fails once. */
async function unsavedRotation(backend: StoreBackend, revoke: boolean) {
  const server = await platform();
  // One configuration for both (the revoke URL is part of the config fingerprint).
  const revocation = revoke ? { revokeURL: server.revokeURL } : {};
  const a = client(server, await backend.open(), revocation);
  const { store, faults } = faulty(await backend.open());
  const answers: JsonObject[] = [];
  const b = client(server, store, { fetch: recordingFetch(answers), ...revocation });
  const logouts: PlatformClientEvents["logout"][] = [];
  b.on("logout", (event) => logouts.push(event));
  await a.authenticateWithCredentials("demo", "demo-password");
  expect(await b.isAuthenticated()).toBe(true);
  server.expireAccessTokens();
  faults.failNextSet = true;
  await expect(b.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
  expect(server.stats.refreshCalls).toBe(1);
  const rotated = answers.at(-1);
  expect(typeof rotated?.refresh_token).toBe("string");
  return { server, a, b, logouts, rotated: rotated as { access_token: string; refresh_token: string } };
}

const backends = ["sqlite", "redis"];

describe("a rotated pair that could not be saved does not come back after a logout elsewhere", () => {
  for (const name of backends) {
    it(`${name}: B's next request is ERR_NOT_AUTHENTICATED, the store stays empty, the pair is revoked`, async () => {
      await withBackend(name, async (backend) => {
        const { server, a, b, logouts, rotated } = await unsavedRotation(backend, true);
        await a.logout();
        server.resetStats();
        await expect(b.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
        expect(server.stats.apiCalls).toBe(0);
        expect(await createSessionManager(await backend.open()).get("password")).toBeUndefined();
        expect(await client(server, await backend.open()).isAuthenticated()).toBe(false);
        expect(await b.isAuthenticated()).toBe(false);
        expect(logouts).toEqual([{ reason: "elsewhere", revoked: true }]);
        expect(server.stats.revokeCalls).toBe(2);
        // The pair B held is dead at the platform too.
        expect(await refreshWith(server, rotated.refresh_token)).toBe(400);
      });
    });

    it(`${name}: without a revoke endpoint the pair is dropped; isAuthenticated() flushes nothing back`, async () => {
      await withBackend(name, async (backend) => {
        const { server, a, b, logouts } = await unsavedRotation(backend, false);
        await a.logout();
        expect(await b.isAuthenticated()).toBe(false);
        await expect(b.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
        expect(await createSessionManager(await backend.open()).get("password")).toBeUndefined();
        expect(logouts).toEqual([{ reason: "elsewhere", revoked: false }]);
        expect(server.stats.revokeCalls).toBe(0);
      });
    });

    it(`${name}: with no logout, the next request writes the pair; a fresh client uses it without a token call`, async () => {
      await withBackend(name, async (backend) => {
        const { server, b, rotated } = await unsavedRotation(backend, true);
        await expect(b.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
        const stored = await createSessionManager(await backend.open()).get("password");
        expect(stored?.refreshToken).toBe(rotated.refresh_token);
        const fresh = client(server, await backend.open(), { revokeURL: server.revokeURL });
        server.resetStats();
        await fresh.request("GET", "/items/3");
        expect(server.stats.tokenCalls).toBe(0);
      });
    });

    it(`${name}: a new sign-in elsewhere wins over the unsaved pair, which is revoked`, async () => {
      await withBackend(name, async (backend) => {
        const { server, a, b, logouts, rotated } = await unsavedRotation(backend, true);
        await a.logout();
        await a.authenticateWithCredentials("demo", "demo-password");
        const signedIn = await createSessionManager(await backend.open()).get("password");
        await expect(b.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
        expect(await createSessionManager(await backend.open()).get("password")).toEqual(signedIn);
        expect(logouts).toEqual([{ reason: "elsewhere", revoked: true }]);
        expect(await refreshWith(server, rotated.refresh_token)).toBe(400);
      });
    });
  }
});

describe("a refresh whose pair was written succeeds even when releasing the lock fails", () => {
  for (const name of backends) {
    it(`${name}: the request succeeds with the new pair; the lease frees the lock for the next refresh`, async () => {
      await withBackend(name, async (backend) => {
        const server = await platform();
        const { store, faults } = faulty(await backend.open());
        const first = client(server, store, { lockTtlMs: 1500 });
        await first.authenticateWithCredentials("demo", "demo-password");
        const manager = createSessionManager(await backend.open());
        const before = await manager.get("password");
        server.expireAccessTokens();
        faults.releaseRejects = true;
        await expect(first.request("GET", "/items/1")).resolves.toMatchObject({ item_id: "1" });
        expect(server.stats.refreshCalls).toBe(1);
        const after = await manager.get("password");
        expect(after?.refreshToken).not.toBe(before?.refreshToken);
        // Another instance refreshes once the unreleased lock's lease has run out.
        const second = client(server, await backend.open(), { lockWaitMs: 20_000 });
        server.expireAccessTokens();
        await expect(second.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
        expect(server.stats.refreshCalls).toBe(2);
        expect(server.stats.reuseDetected).toBe(0);
        // A logout whose release fails still logs out.
        await expect(first.logout()).resolves.toMatchObject({ revoked: false });
        expect(await manager.get("password")).toBeUndefined();
      });
    });
  }
});
