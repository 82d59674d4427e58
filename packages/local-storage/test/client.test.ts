/**
 * @sessionstore/client in real Chromium pages over the localStorage store,
 * against the fake platform: the PKCE redirect flow end to end, the legacy
 * implicit `#access_token` redirect, two tabs sharing one expired session
 * (one token call), and a logout in one tab ending the session in the other.
 */
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BrowserHarness, startBrowserHarness } from "./support/browser.js";

let platform: FakePlatform;
let harness: BrowserHarness;

beforeAll(async () => {
  platform = await startFakePlatform();
  harness = await startBrowserHarness({ platformURL: platform.url });
});
afterAll(async () => {
  await harness?.close();
  await platform?.close();
});
beforeEach(() => {
  platform.clearFaults();
  platform.setLatency(0);
});

/** Settings every tab of one test shares: same origin, same store prefix, so the same session. */
interface AppConfig {
  prefix: string;
  revoke: boolean;
}

const newConfig = (revoke = false): AppConfig => ({ prefix: `app-${crypto.randomUUID().slice(0, 8)}:`, revoke });

async function openApp(): Promise<Page> {
  const page = await harness.context.newPage();
  await page.goto(`${harness.origin}/app`);
  await page.waitForFunction(() => window.__app !== undefined);
  return page;
}

/** Creates the page's PlatformClient ('client' type, public client) over localStorage; watches the store. */
async function startClient(page: Page, config: AppConfig): Promise<void> {
  await page.waitForFunction(() => window.__app !== undefined);
  await page.evaluate(({ prefix, revoke }) => {
    const { PlatformClient, createLocalStorageStore } = window.__app;
    const sessionStore = createLocalStorageStore({ prefix });
    sessionStore.watch(({ key }) => window.__state.changes.push(key));
    window.__state.client?.close();
    const client = new PlatformClient(
      { authType: "client", clientId: "demo-public" },
      { apiURL: location.origin, sessionStore, ...(revoke ? { revokeURL: `${location.origin}/oauth/revoke` } : {}) },
    );
    client.on("logout", ({ reason }) => window.__state.events.push(`logout:${reason}`));
    client.on("refresh", ({ trigger }) => window.__state.events.push(`refresh:${trigger}`));
    window.__state.client = client;
  }, config);
}

/** Authorization code + PKCE, by navigation: to the platform's authorize endpoint and back to /app. */
async function signInWithPkce(page: Page, config: AppConfig): Promise<{ search: string; user: unknown }> {
  await startClient(page, config);
  await Promise.all([
    page.waitForURL(/\/app\?code=/),
    page.evaluate(() => {
      const { createCodeVerifier, createState } = window.__app;
      const pkce = { codeVerifier: createCodeVerifier(), state: createState() };
      // What an app keeps across the redirect: the verifier never leaves this tab.
      sessionStorage.setItem("pkce", JSON.stringify(pkce));
      location.assign(window.__state.client?.getAuthorizationURL(`${location.origin}/app`, pkce) ?? "");
    }),
  ]);
  await startClient(page, config);
  return page.evaluate(async () => {
    const client = window.__state.client;
    const pkce = JSON.parse(sessionStorage.getItem("pkce") ?? "{}");
    await client?.handleRedirect(undefined, pkce);
    const status = await client?.request<{ user: unknown }>("GET", "/user/status");
    return { search: location.search, user: status?.user };
  });
}

function errorCode(page: Page, run: "request" | "refresh") {
  return page.evaluate(async (what) => {
    try {
      const client = window.__state.client;
      await (what === "request" ? client?.request("GET", "/items/1") : client?.isAuthenticated());
      return "ok";
    } catch (error) {
      return (error as { code: string }).code;
    }
  }, run);
}

describe("sign-in redirects in a page", () => {
  it("authorization code + PKCE: to the authorize endpoint and back, the code exchanged, the session in localStorage", async () => {
    platform.resetStats();
    const config = newConfig();
    const page = await openApp();
    const result = await signInWithPkce(page, config);
    expect(result.user).toMatchObject({ username: "demo" });
    // handleRedirect took the code out of the address bar.
    expect(result.search).toBe("");
    expect(platform.stats.authorizeCalls).toBe(1);
    expect(platform.stats.byGrant).toEqual({ authorization_code: 1 });
    const stored = await page.evaluate(
      (prefix) => localStorage.getItem(`${prefix}sessionstore:default:client`),
      config.prefix,
    );
    expect(JSON.parse(stored ?? "{}")).toMatchObject({ record: { auth: { refreshToken: expect.any(String) } } });
    // A reload restores the session from localStorage: no new sign-in, no token call.
    await page.reload();
    await startClient(page, config);
    expect(await page.evaluate(() => window.__state.client?.isAuthenticated())).toBe(true);
    expect(platform.stats.tokenCalls).toBe(1);
    await page.close();
  });

  it("legacy implicit redirect: #access_token is stored, then removed from the address bar", async () => {
    platform.resetStats();
    const config = newConfig();
    const page = await openApp();
    await startClient(page, config);
    await Promise.all([
      page.waitForURL(/\/app#access_token=/),
      page.evaluate(() => {
        const state = window.__app.createState();
        sessionStorage.setItem("state", state);
        location.assign(
          window.__state.client?.getAuthorizationURL(`${location.origin}/app`, { state, responseType: "token" }) ?? "",
        );
      }),
    ]);
    await startClient(page, config);
    const result = await page.evaluate(async () => {
      const client = window.__state.client;
      const handled = await client?.handleRedirect(undefined, { state: sessionStorage.getItem("state") ?? "" });
      const status = await client?.request<{ user: unknown }>("GET", "/user/status");
      return { handled, hash: location.hash, user: status?.user, session: await client?.session() };
    });
    expect(result).toMatchObject({
      handled: true,
      hash: "",
      user: { username: "demo" },
      session: { refreshable: false },
    });
    expect(platform.stats.tokenCalls).toBe(0);
    await page.close();
  });
});

describe("two tabs, one session", () => {
  it("an expired session used by both tabs at once is refreshed exactly once", async () => {
    const config = newConfig();
    const tabA = await openApp();
    await signInWithPkce(tabA, config);
    const tabB = await openApp();
    await startClient(tabB, config);
    await startClient(tabA, config);
    for (let round = 0; round < 3; round++) {
      platform.expireAccessTokens();
      platform.resetStats();
      // Slow answers keep both tabs' refreshes overlapping.
      platform.setLatency(40);
      const call = (tab: Page) =>
        tab.evaluate(
          async (id) => (await window.__state.client?.request<{ item_id: unknown }>("GET", `/items/${id}`))?.item_id,
          round,
        );
      const items = await Promise.all([call(tabA), call(tabB)]);
      expect(items).toEqual([String(round), String(round)]);
      expect(platform.stats).toMatchObject({ tokenCalls: 1, refreshCalls: 1, invalidGrant: 0, reuseDetected: 0 });
    }
    await Promise.all([tabA.close(), tabB.close()]);
  });

  it("logout in one tab (with revocation) ends the session in the other: its next call is not authenticated", async () => {
    const config = newConfig(true);
    const tabA = await openApp();
    await signInWithPkce(tabA, config);
    const tabB = await openApp();
    await startClient(tabB, config);
    await startClient(tabA, config);
    expect(await errorCode(tabB, "request")).toBe("ok");
    const logout = await tabA.evaluate(async () => window.__state.client?.logout());
    expect(logout).toEqual({ revoked: true });
    // Tab B's token was revoked: its 401 leads to a re-read under the lock, which finds no session.
    expect(await errorCode(tabB, "request")).toBe("ERR_NOT_AUTHENTICATED");
    expect(await tabB.evaluate(() => window.__state.client?.isAuthenticated())).toBe(false);
    // The storage event told tab B's store.
    await expect.poll(() => tabB.evaluate(() => window.__state.changes)).toContain("sessionstore:default:client");
    await Promise.all([tabA.close(), tabB.close()]);
  });

  it("logout in one tab ends the other tab's session at once: 'logout' (elsewhere), then no token is sent", async () => {
    const config = newConfig(false);
    const tabA = await openApp();
    await signInWithPkce(tabA, config);
    const tabB = await openApp();
    await startClient(tabB, config);
    await startClient(tabA, config);
    expect(await errorCode(tabB, "request")).toBe("ok");
    const apiCalls = platform.stats.apiCalls;
    await tabA.evaluate(async () => window.__state.client?.logout());
    // No call, no isAuthenticated(): the store's change report alone ends it.
    await expect.poll(() => tabB.evaluate(() => window.__state.events)).toContain("logout:elsewhere");
    expect(await errorCode(tabB, "request")).toBe("ERR_NOT_AUTHENTICATED");
    expect(platform.stats.apiCalls).toBe(apiCalls);
    await Promise.all([tabA.close(), tabB.close()]);
  });

  it("logout in one tab (no revocation URL): the other tab's isAuthenticated() re-reads and says false", async () => {
    const config = newConfig(false);
    const tabA = await openApp();
    await signInWithPkce(tabA, config);
    const tabB = await openApp();
    await startClient(tabB, config);
    expect(await tabB.evaluate(() => window.__state.client?.isAuthenticated())).toBe(true);
    await startClient(tabA, config);
    await tabA.evaluate(async () => window.__state.client?.logout());
    await expect.poll(() => tabB.evaluate(() => window.__state.changes.length)).toBeGreaterThan(0);
    expect(await tabB.evaluate(() => window.__state.client?.isAuthenticated())).toBe(false);
    await Promise.all([tabA.close(), tabB.close()]);
  });
});
