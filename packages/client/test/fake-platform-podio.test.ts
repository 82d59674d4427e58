// The fake platform's Podio mode, checked on its own with plain HTTP: the
// podio() profile tests lean on it, so it must refuse what Podio refuses.
import { describe, expect, it } from "vitest";
import { platform } from "./support/harness.js";

const CLIENT = { client_id: "demo-client", client_secret: "demo-secret" };

async function token(url: string, params: Record<string, string>) {
  const response = await fetch(`${url}/oauth/token`, { method: "POST", body: new URLSearchParams(params) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function call(url: string, path: string, authorization: string) {
  const response = await fetch(`${url}${path}`, { headers: { authorization } });
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("fake platform, Podio mode", () => {
  it("grant_type=app needs a registered app_id with its app_token; client_credentials is not Podio's", async () => {
    const server = await platform({ podio: { apps: { "42": "app-token-42" } } });
    expect(await token(server.url, { grant_type: "app", app_id: "42", ...CLIENT })).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    expect(await token(server.url, { grant_type: "app", app_token: "app-token-42", ...CLIENT })).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    expect(await token(server.url, { grant_type: "app", app_id: "42", app_token: "nope", ...CLIENT })).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    expect(await token(server.url, { grant_type: "client_credentials", ...CLIENT })).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type" },
    });
    const granted = await token(server.url, { grant_type: "app", app_id: "42", app_token: "app-token-42", ...CLIENT });
    expect(granted).toMatchObject({
      status: 200,
      body: {
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        transfer_token: expect.any(String),
        ref: { type: "app", id: 42 },
      },
    });
    const refreshed = await token(server.url, {
      grant_type: "refresh_token",
      refresh_token: String(granted.body.refresh_token),
      ...CLIENT,
    });
    expect(refreshed.body).toMatchObject({ ref: { type: "app", id: 42 } });
    expect(refreshed.body.transfer_token).toBeUndefined();
  });

  it("takes only the OAuth2 scheme; 401 bodies are Podio's, without an RFC 6750 challenge", async () => {
    const server = await platform({ podio: true });
    const { body } = await token(server.url, {
      grant_type: "password",
      username: "demo",
      password: "demo-password",
      ...CLIENT,
    });
    const accessToken = String(body.access_token);
    expect((await call(server.url, "/user/status", `OAuth2 ${accessToken}`)).status).toBe(200);
    expect(await call(server.url, "/user/status", `Bearer ${accessToken}`)).toEqual({
      status: 401,
      challenge: null,
      body: { error: "unauthorized", error_description: expect.any(String), error_detail: null },
    });
    expect(await call(server.url, "/unauthorized", `OAuth2 ${accessToken}`)).toEqual({
      status: 401,
      challenge: null,
      body: {
        error: "unauthorized",
        error_description: expect.any(String),
        error_detail: "authentication_not_allowed",
      },
    });
    server.expireAccessTokens();
    expect(await call(server.url, "/user/status", `OAuth2 ${accessToken}`)).toEqual({
      status: 401,
      challenge: null,
      body: { error: "invalid_token", error_description: "expired_token", error_detail: null },
    });
  });
});
