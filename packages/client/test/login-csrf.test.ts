import { createMemoryStore, createSessionManager, type SessionManager } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { createCodeVerifier, createState, type PlatformAuthOptions, PlatformClient } from "../src/index.js";
import { makeClient, platform, testClock } from "./support/harness.js";
import { type StoreBackend, withBackend } from "./support/stores.js";

const CB = "http://localhost/cb";
const SERVER: PlatformAuthOptions = { authType: "server", clientId: "demo-client", clientSecret: "demo-secret" };
const BROWSER: PlatformAuthOptions = { authType: "client", clientId: "demo-public" };

/** Follows the authorize URL like a browser would (the fake platform approves at once). */
async function authorize(url: string): Promise<string> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return response.headers.get("location") ?? "";
}

function refusal(promise: Promise<unknown>) {
  return expect(promise).rejects.toMatchObject({ code: "ERR_REDIRECT" });
}

/** A victim signed in through the honest redirect, and what its store holds. */
async function victim(auth: PlatformAuthOptions, responseType: "code" | "token" = "code") {
  const server = await platform({ users: { demo: "demo-password", mallory: "mallory-password" } });
  const manager = createSessionManager(createMemoryStore());
  const clock = testClock();
  const client = makeClient(server, { sessionStore: manager, now: clock.now }, auth);
  const location = await authorize(client.getAuthorizationURL(CB, { responseType }));
  // The honest flow: no options at all, the client checks its own record.
  expect(await client.handleRedirect(location)).toBe(true);
  const stored = await manager.get(auth.authType);
  expect(stored?.accessToken).toBeDefined();
  server.resetStats();
  return { server, manager, client, clock, location, stored };
}

async function expectUntouched(manager: SessionManager, auth: PlatformAuthOptions, stored: unknown) {
  expect(await manager.get(auth.authType)).toEqual(stored);
}

describe("login CSRF: implicit redirect ('client')", () => {
  it("refuses an injected #access_token with {}, no options, a forged state, a replayed state, an expired state", async () => {
    const { server, manager, client, clock, location, stored } = await victim(BROWSER, "token");
    const injected = "https://app.example/cb#access_token=AT_MALLORY&token_type=bearer&expires_in=3600";
    await refusal(client.handleRedirect(injected, {}));
    await refusal(client.handleRedirect(injected));
    await refusal(client.handleRedirect(`${injected}&state=${createState()}`, {}));
    // The victim's own redirect, replayed (its state is used up).
    await refusal(client.handleRedirect(location, {}));
    // A state this client did issue, answered after authorizationTtlMs (10 minutes).
    const late = await authorize(client.getAuthorizationURL(CB, { responseType: "token" }));
    clock.advance(10 * 60_000 + 1);
    await refusal(client.handleRedirect(late));
    await expectUntouched(manager, BROWSER, stored);
    expect(JSON.stringify(await manager.get("client"))).not.toContain("AT_MALLORY");
    expect(server.stats.tokenCalls).toBe(0);
  });

  it("isAuthenticated() with an injected #access_token in location refuses it and cleans the address bar", async () => {
    const { manager, client, stored } = await victim(BROWSER, "token");
    const replaced: string[] = [];
    const globals = globalThis as { location?: unknown; history?: unknown };
    globals.location = new URL("https://app.example/cb#access_token=AT_MALLORY&expires_in=3600");
    globals.history = { replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) };
    try {
      await refusal(client.isAuthenticated());
      expect(replaced).toEqual(["https://app.example/cb"]);
    } finally {
      delete globals.location;
      delete globals.history;
    }
    await expectUntouched(manager, BROWSER, stored);
  });

  it("a state issued for a code is not accepted for an implicit token", async () => {
    const { manager, client, stored } = await victim(BROWSER, "code");
    const url = new URL(client.getAuthorizationURL(CB));
    const state = url.searchParams.get("state") ?? "";
    await refusal(client.handleRedirect(`${CB}#access_token=AT_MALLORY&state=${state}`));
    await expectUntouched(manager, BROWSER, stored);
  });
});

describe("login CSRF: authorization code ('server' and 'client')", () => {
  for (const auth of [SERVER, BROWSER]) {
    it(`${auth.authType}: a code issued to mallory, with no state, a foreign state or mallory's state, is refused with no token call`, async () => {
      const { server, manager, client, stored } = await victim(auth);
      // Mallory runs the flow with her own client (her own store) and stops before the redirect.
      const mallory = makeClient(server, { sessionStore: createSessionManager(createMemoryStore()) }, auth);
      const hers = new URL(await authorize(mallory.getAuthorizationURL(CB)));
      const code = hers.searchParams.get("code") ?? "";
      expect(code).not.toBe("");
      server.resetStats();
      await refusal(client.handleRedirect(`${CB}?code=${code}`));
      await refusal(client.handleRedirect(`${CB}?code=${code}`, {}));
      await refusal(client.handleRedirect(`${CB}?code=${code}&state=${createState()}`, {}));
      await refusal(client.handleRedirect(hers.toString(), {}));
      // A state the caller says it kept must match too.
      await refusal(client.handleRedirect(hers.toString(), { state: createState() }));
      await expectUntouched(manager, auth, stored);
      expect(server.stats.tokenCalls).toBe(0);
      // Mallory's own client still completes her flow: the refusals did not use up her state.
      expect(await mallory.handleRedirect(hers.toString())).toBe(true);
    });
  }

  it("client: the generated PKCE verifier goes with the recorded state; the URL carries its challenge", async () => {
    const server = await platform();
    const client = makeClient(server, {}, BROWSER);
    const url = new URL(client.getAuthorizationURL(CB));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("state")?.length).toBeGreaterThanOrEqual(16);
    await client.handleRedirect(await authorize(url.toString()));
    expect(server.stats.byGrant).toEqual({ authorization_code: 1 });
    expect(await client.request("GET", "/user/status")).toMatchObject({ user: { username: "demo" } });
  });

  it("an explicit { state, codeVerifier } the caller kept still works, and still must match", async () => {
    const server = await platform();
    const state = createState();
    const codeVerifier = createCodeVerifier();
    // A page reload: the client that built the URL is gone, and its memory store with it.
    const before = makeClient(server, {}, BROWSER);
    const location = await authorize(before.getAuthorizationURL(CB, { state, codeVerifier }));
    const after = makeClient(server, {}, BROWSER);
    await refusal(after.handleRedirect(location));
    await refusal(after.handleRedirect(location, { state: createState(), codeVerifier }));
    expect(server.stats.tokenCalls).toBe(0);
    expect(await after.handleRedirect(location, { state, codeVerifier })).toBe(true);
    expect(await after.isAuthenticated()).toBe(true);
  });

  it("createAuthorizationURL resolves once the request is recorded, and rejects when the store cannot record it", async () => {
    const server = await platform();
    const inner = createMemoryStore();
    let down = false;
    const flaky = {
      ...inner,
      capabilities: inner.capabilities,
      set: (key: string, record: Parameters<typeof inner.set>[1], options?: Parameters<typeof inner.set>[2]) =>
        down ? Promise.reject(new Error("connection refused")) : inner.set(key, record, options),
    };
    const client = makeClient(server, { sessionStore: flaky }, SERVER);
    const url = await client.createAuthorizationURL(CB);
    expect(await inner.list("")).toHaveLength(1);
    down = true;
    await expect(client.createAuthorizationURL(CB)).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    // The unrecorded request's redirect is refused; the recorded one works.
    const unrecorded = await authorize(client.getAuthorizationURL(CB));
    await refusal(client.handleRedirect(unrecorded));
    down = false;
    expect(await client.handleRedirect(await authorize(url))).toBe(true);
  });
});

describe("server flow across instances sharing a real store", () => {
  for (const name of ["sqlite", "redis", "file"]) {
    it(`${name}: the instance that gets the redirect finds the request another made; it is used once`, async () => {
      await withBackend(name, sharedStoreFlow);
    });
  }
});

async function sharedStoreFlow(backend: StoreBackend) {
  const server = await platform();
  const open = async () =>
    new PlatformClient(SERVER, { apiURL: server.url, sessionStore: await backend.open(), subject: "user-1" });
  const [a, b, c] = [await open(), await open(), await open()];
  const location = await authorize(await a.createAuthorizationURL(CB));
  // Two instances get the same redirect (a double submit, or an attacker racing it): one wins.
  const results = await Promise.allSettled([b.handleRedirect(location), c.handleRedirect(location)]);
  expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
  const lost = results.find((result) => result.status === "rejected");
  expect(lost?.status === "rejected" && lost.reason).toMatchObject({ code: "ERR_REDIRECT" });
  expect(server.stats.byGrant).toEqual({ authorization_code: 1 });
  expect(await a.isAuthenticated()).toBe(true);
  // Another subject's instance cannot use this subject's request.
  const other = new PlatformClient(SERVER, {
    apiURL: server.url,
    sessionStore: await backend.open(),
    subject: "user-2",
  });
  const second = await authorize(await a.createAuthorizationURL(CB));
  await refusal(other.handleRedirect(second));
  expect(await other.isAuthenticated()).toBe(false);
  // The used request is gone; the one user-2 could not use still waits for user-1.
  const store = await backend.open();
  const keys = (await store.list?.("")) ?? [];
  expect(keys.filter((key) => key.includes(":pending:"))).toHaveLength(1);
}
