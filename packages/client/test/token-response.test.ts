import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { afterEach, describe, expect, it } from "vitest";
import { isPlatformApiError, PlatformClient } from "../src/index.js";
import { PASSWORD_AUTH } from "./support/harness.js";

/** A tiny real token endpoint answering whatever `next` says; the API answers 401 on /expired, 200 elsewhere. */
async function tokenServer() {
  let next: Record<string, unknown> = {};
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === "/oauth/token") {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(next));
      });
      return;
    }
    seen.push(req.headers.authorization ?? "");
    const expired = req.url === "/expired";
    res.writeHead(expired ? 401 : 200, { "content-type": "application/json" });
    res.end(expired ? JSON.stringify({ error: "invalid_token" }) : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    answer(body: Record<string, unknown>) {
      next = body;
    },
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const GOOD = { access_token: "AT_GOOD.abc-_~+/=", refresh_token: "RT_GOOD", token_type: "bearer", expires_in: 3600 };

const BAD: [string, Record<string, unknown>, string][] = [
  ["CR LF in the access token", { ...GOOD, access_token: "AT\r\nX-Injected: yes" }, "AT\r\nX-Injected"],
  ["NUL in the access token", { ...GOOD, access_token: "AT\u0000SECRETPART" }, "SECRETPART"],
  ["a space in the access token", { ...GOOD, access_token: "AT SECRETPART" }, "SECRETPART"],
  ["non-ASCII in the access token", { ...GOOD, access_token: "AT\u00e9SECRETPART" }, "SECRETPART"],
  ["LF in the refresh token", { ...GOOD, refresh_token: "RT\nSECRETPART" }, "SECRETPART"],
  ["a refresh token that is a number", { ...GOOD, refresh_token: 42 }, "AT_GOOD"],
  ["expires_in: -5", { ...GOOD, expires_in: -5 }, "AT_GOOD"],
  ["expires_in: 1e300", { ...GOOD, expires_in: 1e300 }, "AT_GOOD"],
  ['expires_in: "abc"', { ...GOOD, expires_in: "abc" }, "AT_GOOD"],
  ["expires_in past 10 years", { ...GOOD, expires_in: 11 * 365 * 24 * 3600 }, "AT_GOOD"],
  ["token_type: 7", { ...GOOD, token_type: 7 }, "AT_GOOD"],
];

describe("a malformed token response is refused before anything is stored", () => {
  for (const [name, body, secret] of BAD) {
    it(`${name}: terminal ERR_TOKEN_RESPONSE at sign-in and at refresh; the old session stays`, async () => {
      const server = await tokenServer();
      const manager = createSessionManager(createMemoryStore());
      const client = new PlatformClient(PASSWORD_AUTH, { apiURL: server.url, sessionStore: manager });
      server.answer(GOOD);
      await client.authenticateWithCredentials("demo", "demo-password");
      const before = await manager.get("password");

      server.answer(body);
      const error = await client.authenticateWithCredentials("demo", "demo-password").catch((e: unknown) => e);
      expect(isPlatformApiError(error, "ERR_TOKEN_RESPONSE")).toBe(true);
      expect(error).toMatchObject({ transient: false, status: 200 });
      const shown = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;
      expect(shown).not.toContain(secret);
      expect(await manager.get("password")).toEqual(before);

      // The same answer to a refresh (after a 401): the request fails, terminal, nothing stored.
      await expect(client.request("GET", "/expired")).rejects.toMatchObject({
        code: "ERR_TOKEN_RESPONSE",
        transient: false,
      });
      await expect(client.request("GET", "/ok")).resolves.toEqual({});
      expect(server.seen.every((header) => header === `Bearer ${GOOD.access_token}`)).toBe(true);
      expect(await manager.get("password")).toEqual(before);
    });
  }

  it("an early refresh answered with CR LF keeps the stored pair and never sends the bad token", async () => {
    const server = await tokenServer();
    const manager = createSessionManager(createMemoryStore());
    let now = Date.now();
    const client = new PlatformClient(PASSWORD_AUTH, {
      apiURL: server.url,
      sessionStore: manager,
      now: () => now,
      refreshJitterMs: 0,
    });
    server.answer(GOOD);
    await client.authenticateWithCredentials("demo", "demo-password");
    const before = await manager.get("password");
    server.answer({ ...GOOD, access_token: "AT\r\nX-Injected: yes" });
    now += 3600_000 + 1;
    await expect(client.request("GET", "/x")).rejects.toMatchObject({ code: "ERR_TOKEN_RESPONSE", transient: false });
    expect(await manager.get("password")).toEqual(before);
    expect(server.seen).toEqual([]);
  });

  it("an implicit redirect carrying a malformed token is refused; nothing is stored", async () => {
    const server = await tokenServer();
    const manager = createSessionManager(createMemoryStore());
    const client = new PlatformClient(
      { authType: "client", clientId: "demo-public" },
      { apiURL: server.url, sessionStore: manager },
    );
    const sent = new URL(client.getAuthorizationURL("http://localhost/cb", { responseType: "token" }));
    const state = sent.searchParams.get("state") ?? "";
    const fragment = new URLSearchParams({ access_token: "AT\r\nX-Injected: yes", expires_in: "3600", state });
    await expect(client.handleRedirect(`http://localhost/cb#${fragment}`)).rejects.toMatchObject({
      code: "ERR_TOKEN_RESPONSE",
    });
    expect(await manager.get("client")).toBeUndefined();
  });
});
