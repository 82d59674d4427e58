import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { defaultShouldRefresh, podioShouldRefresh } from "../src/index.js";
import { makeClient, platform } from "./support/harness.js";

/**
 * A real API server answering every request 401 with the `WWW-Authenticate`
 * header the path names (`/challenge?header=...`; none for `/plain`).
 */
async function challengingApi() {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const header = url.searchParams.get("header");
    res.writeHead(401, {
      "content-type": "application/json",
      ...(header === null ? {} : { "www-authenticate": header }),
    });
    const description = url.searchParams.get("description");
    res.end(JSON.stringify({ error: "refused", ...(description === null ? {} : { error_description: description }) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function unauthorized(header?: string): Response {
  return new Response(null, { status: 401, headers: header === undefined ? {} : { "www-authenticate": header } });
}

describe("defaultShouldRefresh (RFC 6750 §3.1)", () => {
  it("refreshes for a Bearer invalid_token challenge and for a 401 that names no error", () => {
    expect(defaultShouldRefresh(unauthorized('Bearer error="invalid_token"'), undefined)).toBe(true);
    expect(
      defaultShouldRefresh(unauthorized('Bearer realm="api", error="invalid_token", error_description="x"'), undefined),
    ).toBe(true);
    expect(defaultShouldRefresh(unauthorized('Basic realm="x", Bearer error=invalid_token'), undefined)).toBe(true);
    expect(defaultShouldRefresh(unauthorized(), undefined)).toBe(true);
    expect(defaultShouldRefresh(unauthorized('Bearer realm="api"'), undefined)).toBe(true);
    expect(defaultShouldRefresh(unauthorized('Basic realm="api"'), undefined)).toBe(true);
  });

  it("does not refresh when the Bearer challenge names another error", () => {
    expect(defaultShouldRefresh(unauthorized('Bearer error="insufficient_scope"'), undefined)).toBe(false);
    expect(defaultShouldRefresh(unauthorized('Bearer realm="api", error="invalid_request"'), undefined)).toBe(false);
  });
});

describe("podioShouldRefresh", () => {
  it("refreshes only when error or error_description names the token", () => {
    const response = unauthorized();
    expect(podioShouldRefresh(response, { error: "invalid_token", error_description: "invalid_token" })).toBe(true);
    expect(podioShouldRefresh(response, { error: "unauthorized", error_description: "expired_token" })).toBe(true);
    expect(podioShouldRefresh(response, { error: "expired_token" })).toBe(true);
    expect(podioShouldRefresh(response, { error: "unauthorized", error_description: "x", error_detail: "y" })).toBe(
      false,
    );
    expect(podioShouldRefresh(response, "invalid_token")).toBe(false);
    expect(podioShouldRefresh(response, undefined)).toBe(false);
  });
});

describe("the 401 decision in a generic client", () => {
  it.each([
    ['Bearer error="invalid_token"', 1],
    [undefined, 1],
    ['Bearer error="insufficient_scope"', 0],
    ['Bearer error="invalid_request"', 0],
  ])("WWW-Authenticate %s: %i refresh", async (header, refreshes) => {
    const oauth = await platform();
    const api = await challengingApi();
    const client = makeClient(oauth, { apiURL: api.url, tokenURL: oauth.tokenURL });
    await client.authenticateWithCredentials("demo", "demo-password");
    const path = header === undefined ? "/plain" : `/challenge?header=${encodeURIComponent(header)}`;
    await expect(client.request("GET", path)).rejects.toMatchObject({ code: "ERR_UNAUTHORIZED", status: 401 });
    expect(oauth.stats.refreshCalls).toBe(refreshes);
    // One retry after a refresh, never a loop; no retry without one.
    expect(api.hits()).toBe(1 + refreshes);
  });

  it("shouldRefresh gets the response and the parsed body, for request() and fetch(); the caller still reads the body", async () => {
    const server = await platform();
    const seen: [number, unknown][] = [];
    const client = makeClient(server, {
      shouldRefresh: (response, body) => {
        seen.push([response.status, body]);
        return false;
      },
    });
    await client.authenticateWithCredentials("demo", "demo-password");
    await expect(client.request("GET", "/status/401")).rejects.toMatchObject({
      code: "ERR_UNAUTHORIZED",
      oauthError: "status_401",
      errorDescription: "you asked for HTTP 401",
    });
    const response = await client.fetch("/status/401");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "status_401", error_description: "you asked for HTTP 401" });
    const body = { error: "status_401", error_description: "you asked for HTTP 401" };
    expect(seen).toEqual([
      [401, body],
      [401, body],
    ]);
    expect(server.stats.refreshCalls).toBe(0);
  });

  it("errorDescription is redacted like every error text", async () => {
    const oauth = await platform();
    const api = await challengingApi();
    const client = makeClient(oauth, { apiURL: api.url, tokenURL: oauth.tokenURL, shouldRefresh: () => false });
    await client.authenticateWithCredentials("demo", "demo-password");
    const leaked = "access_token=sekrit-0123456789abcdef was refused";
    const error = await client
      .request("GET", `/described?description=${encodeURIComponent(leaked)}`)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_UNAUTHORIZED", errorDescription: expect.stringContaining("refused") });
    expect((error as { errorDescription: string }).errorDescription).toBe("access_token=[redacted] was refused");
    expect((error as Error).message).not.toContain("sekrit");
  });

  it("a shouldRefresh returning true refreshes once on fetch() too, and the retried answer is returned", async () => {
    const server = await platform();
    const client = makeClient(server, { shouldRefresh: (_response, body) => JSON.stringify(body).includes("token") });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    const response = await client.fetch("/items/5");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ item_id: "5" });
    expect(server.stats.refreshCalls).toBe(1);
  });
});
