/**
 * Login CSRF in real Chromium pages: the client records its own state (and
 * PKCE verifier) in localStorage before a full-page redirect and accepts only
 * the redirect answering it; a forged `#access_token` or a code issued to
 * someone else, landing on the app's redirect URI, is refused before any token
 * call and leaves the signed-in user's session as it was.
 */
import { PlatformClient } from "@sessionstore/client";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

async function startClient(page: Page, prefix: string): Promise<void> {
  await page.waitForFunction(() => window.__app !== undefined);
  await page.evaluate((storePrefix) => {
    const { PlatformClient, createLocalStorageStore } = window.__app;
    window.__state.client?.close();
    window.__state.client = new PlatformClient(
      { authType: "client", clientId: "demo-public" },
      { apiURL: location.origin, sessionStore: createLocalStorageStore({ prefix: storePrefix }) },
    );
  }, prefix);
}

/** Whatever `handleRedirect()` (or `isAuthenticated()`) does with the page's own URL: "ok" or the error code. */
function completeRedirect(page: Page, how: "handleRedirect" | "isAuthenticated" = "handleRedirect") {
  return page.evaluate(async (call) => {
    try {
      const client = window.__state.client;
      await (call === "handleRedirect" ? client?.handleRedirect() : client?.isAuthenticated());
      return "ok";
    } catch (error) {
      return (error as { code: string }).code;
    }
  }, how);
}

function storedSession(page: Page, prefix: string) {
  return page.evaluate((key) => localStorage.getItem(key), `${prefix}sessionstore:default:client`);
}

describe("login CSRF in a page", () => {
  it("the honest full-page flow needs no options; forged redirects are refused and the session stays", async () => {
    const prefix = `csrf-${crypto.randomUUID().slice(0, 8)}:`;
    const page = await harness.context.newPage();
    await page.goto(`${harness.origin}/app`);
    await startClient(page, prefix);
    // Sign in: the state and verifier live only in the store, across the navigation.
    await Promise.all([
      page.waitForURL(/\/app\?code=/),
      page.evaluate(async () => {
        location.assign((await window.__state.client?.createAuthorizationURL(`${location.origin}/app`)) ?? "");
      }),
    ]);
    await startClient(page, prefix);
    expect(await completeRedirect(page)).toBe("ok");
    expect(page.url()).toBe(`${harness.origin}/app`);
    const signedIn = await storedSession(page, prefix);
    expect(signedIn).toContain("accessToken");
    platform.resetStats();

    // Mallory's own authorization (her state, her code), sent to the victim's redirect URI.
    const mallory = new PlatformClient({ authType: "client", clientId: "demo-public" }, { apiURL: platform.url });
    const answer = await fetch(mallory.getAuthorizationURL(`${harness.origin}/app`), { redirect: "manual" });
    const hers = answer.headers.get("location") ?? "";
    expect(hers).toMatch(/\?code=.+&state=/);
    const forged = [
      hers,
      `${harness.origin}/app?code=${new URL(hers).searchParams.get("code")}`,
      `${harness.origin}/app#access_token=AT_MALLORY&token_type=bearer&expires_in=3600`,
      `${harness.origin}/app#access_token=AT_MALLORY&expires_in=3600&state=forged-state-123`,
    ];
    for (const url of forged) {
      await page.goto(url);
      await startClient(page, prefix);
      expect(await completeRedirect(page)).toBe("ERR_REDIRECT");
      // The address bar is cleaned even when the redirect is refused.
      expect(page.url()).toBe(`${harness.origin}/app`);
      expect(await storedSession(page, prefix)).toBe(signedIn);
    }
    // podio-js style: isAuthenticated() picks up a #access_token by itself, and refuses a forged one.
    await page.goto(`${harness.origin}/app#access_token=AT_MALLORY&expires_in=3600`);
    await startClient(page, prefix);
    expect(await completeRedirect(page, "isAuthenticated")).toBe("ERR_REDIRECT");
    expect(await storedSession(page, prefix)).toBe(signedIn);
    expect(platform.stats.tokenCalls).toBe(0);
    // The victim is still the victim.
    expect(await page.evaluate(() => window.__state.client?.isAuthenticated())).toBe(true);
    await page.close();
  });
});
