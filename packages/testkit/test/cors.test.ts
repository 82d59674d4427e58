// A browser app in development is served from another origin than the fake
// platform (another port): real Chromium must be allowed to sign in and call
// the API with a bearer token, which needs CORS preflights answered.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let platform: FakePlatform;
let app: Server;
let appOrigin: string;
let browser: Browser;

beforeAll(async () => {
  platform = await startFakePlatform();
  // The "app": a page on its own origin, as a dev server would serve it.
  app = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>app</title>");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  await platform?.close();
});

describe("the fake platform from another origin", () => {
  it("real Chromium signs in (JSON body: preflighted) and calls the API with a bearer token", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(appOrigin);
      const outcome = await page.evaluate(async (platformUrl) => {
        // Content-Type JSON and Authorization are not CORS-safelisted: both calls are preflighted.
        const token = await fetch(`${platformUrl}/oauth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            grant_type: "password",
            username: "demo",
            password: "demo-password",
            client_id: "demo-client",
            client_secret: "demo-secret",
          }),
        });
        const body = (await token.json()) as { access_token: string };
        const api = await fetch(`${platformUrl}/user/status`, {
          headers: { authorization: `Bearer ${body.access_token}` },
        });
        const denied = await fetch(`${platformUrl}/user/status`, { headers: { authorization: "Bearer wrong" } });
        return {
          token: token.status,
          api: api.status,
          denied: denied.status,
          // Exposed, so a browser client can read why it was refused.
          challenge: denied.headers.get("www-authenticate") !== null,
        };
      }, platform.url);
      expect(outcome).toEqual({ token: 200, api: 200, denied: 401, challenge: true });
      expect(platform.stats.tokenCalls).toBe(1);
    } finally {
      await page.close();
    }
  });

  it("answers a preflight with the origin, methods and the headers asked for; plain answers carry the origin", async () => {
    const preflight = await fetch(`${platform.url}/user/status`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization, content-type");

    const answer = await fetch(`${platform.url}/user/status`, { headers: { origin: "http://localhost:5173" } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    // Without an Origin (not a browser), no CORS headers at all.
    const plain = await fetch(`${platform.url}/user/status`);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });
});
