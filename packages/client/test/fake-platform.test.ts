// The fake platform from @sessionstore/testkit/platform, checked on its own:
// the client tests lean on it, so it must really refuse what it should.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, describe, expect, it } from "vitest";
import { platform } from "./support/harness.js";

const CLIENT = { client_id: "demo-client", client_secret: "demo-secret" };

async function token(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/oauth/token`, { method: "POST", body: new URLSearchParams(params), headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function api(url: string, accessToken: unknown, scheme = "Bearer") {
  return fetch(`${url}/user/status`, { headers: { authorization: `${scheme} ${String(accessToken)}` } });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("fake platform", () => {
  it("password grant: bearer and podio-js's OAuth2 scheme are accepted; forged or altered tokens are not", async () => {
    const server = await platform();
    const { body } = await token(server.url, {
      grant_type: "password",
      username: "demo",
      password: "demo-password",
      ...CLIENT,
    });
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600, ref: { type: "user", id: "demo" } });
    expect((await api(server.url, body.access_token)).status).toBe(200);
    expect((await api(server.url, body.access_token, "OAuth2")).status).toBe(200);
    const altered = `${String(body.access_token).slice(0, -2)}xx`;
    const refused = await api(server.url, altered);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "invalid_token", error_description: "invalid_token" });
    const other = await startFakePlatform();
    try {
      expect((await api(other.url, body.access_token)).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("rotation with reuse detection: a spent refresh token is invalid_grant and revokes the family", async () => {
    const server = await platform();
    const first = (
      await token(server.url, { grant_type: "password", username: "demo", password: "demo-password", ...CLIENT })
    ).body;
    const second = (
      await token(server.url, { grant_type: "refresh_token", refresh_token: String(first.refresh_token), ...CLIENT })
    ).body;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const reuse = await token(server.url, {
      grant_type: "refresh_token",
      refresh_token: String(first.refresh_token),
      ...CLIENT,
    });
    expect(reuse).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(server.stats.reuseDetected).toBe(1);
    // The whole family is gone, including the newest pair.
    const next = await token(server.url, {
      grant_type: "refresh_token",
      refresh_token: String(second.refresh_token),
      ...CLIENT,
    });
    expect(next.body.error).toBe("invalid_grant");
    expect((await api(server.url, second.access_token)).status).toBe(401);
  });

  it("checks client authentication (body or Basic) and refuses public clients client_credentials", async () => {
    const server = await platform();
    const basic = `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}`;
    expect((await token(server.url, { grant_type: "client_credentials" }, { authorization: basic })).status).toBe(200);
    expect(
      (await token(server.url, { grant_type: "client_credentials", client_id: "demo-client", client_secret: "x" })).body
        .error,
    ).toBe("invalid_client");
    expect((await token(server.url, { grant_type: "client_credentials", client_id: "demo-public" })).body.error).toBe(
      "unauthorized_client",
    );
    expect((await token(server.url, { grant_type: "magic", ...CLIENT })).body.error).toBe("unsupported_grant_type");
    expect(server.stats.byGrant).toEqual({ client_credentials: 3, magic: 1 });
  });

  it("authorize: public clients need S256 PKCE; a code is bound to its verifier and redirect URI", async () => {
    const server = await platform();
    const authorize = async (query: Record<string, string>) => {
      const response = await fetch(`${server.authorizeURL}?${new URLSearchParams(query)}`, { redirect: "manual" });
      return new URL(response.headers.get("location") ?? "http://invalid/");
    };
    const base = { response_type: "code", client_id: "demo-public", redirect_uri: "http://localhost/cb", state: "s1" };
    expect((await authorize(base)).searchParams.get("error")).toBe("invalid_request");
    expect(
      (await authorize({ ...base, code_challenge: "abc", code_challenge_method: "plain" })).searchParams.get("error"),
    ).toBe("invalid_request");
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const back = await authorize({ ...base, code_challenge: challenge, code_challenge_method: "S256" });
    expect(back.searchParams.get("state")).toBe("s1");
    const code = back.searchParams.get("code") ?? "";
    const exchange = (extra: Record<string, string>) =>
      token(server.url, { grant_type: "authorization_code", code, client_id: "demo-public", ...extra });
    expect((await exchange({ redirect_uri: "http://localhost/other", code_verifier: verifier })).body.error).toBe(
      "invalid_grant",
    );
    expect((await exchange({ redirect_uri: "http://localhost/cb", code_verifier: `${verifier}x` })).body.error).toBe(
      "invalid_grant",
    );
    expect((await exchange({ redirect_uri: "http://localhost/cb", code_verifier: verifier })).status).toBe(200);
  });

  it("survives a restart with the same signingKey and stateFile, keeping no token in the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sessionstore-fake-platform-"));
    dirs.push(dir);
    const options = { signingKey: randomBytes(32).toString("base64"), stateFile: join(dir, "state.json") };
    const first = await startFakePlatform(options);
    const issued = (
      await token(first.url, { grant_type: "password", username: "demo", password: "demo-password", ...CLIENT })
    ).body;
    await first.close();
    const file = readFileSync(options.stateFile, "utf8");
    expect(file).not.toContain(String(issued.refresh_token));
    expect(file).not.toContain(String(issued.access_token));
    expect(statSync(options.stateFile).mode & 0o777).toBe(0o600);

    const second = await startFakePlatform(options);
    try {
      expect((await api(second.url, issued.access_token)).status).toBe(200);
      second.expireAccessTokens();
      expect((await api(second.url, issued.access_token)).status).toBe(401);
      const renewed = await token(second.url, {
        grant_type: "refresh_token",
        refresh_token: String(issued.refresh_token),
        ...CLIENT,
      });
      expect(renewed.status).toBe(200);
    } finally {
      await second.close();
    }
    // A different key does not accept the old tokens.
    const third = await startFakePlatform({ ...options, signingKey: "another-key" });
    try {
      expect((await api(third.url, issued.access_token)).status).toBe(401);
    } finally {
      await third.close();
    }
  });

  it("revocation (RFC 7009): 200 for unknown tokens, the refresh token ends its family", async () => {
    const server = await platform();
    const issued = (
      await token(server.url, { grant_type: "password", username: "demo", password: "demo-password", ...CLIENT })
    ).body;
    const revoke = (params: Record<string, string>) =>
      fetch(server.revokeURL, { method: "POST", body: new URLSearchParams({ ...CLIENT, ...params }) });
    expect((await revoke({ token: "nonsense" })).status).toBe(200);
    expect((await revoke({ token: String(issued.refresh_token), token_type_hint: "refresh_token" })).status).toBe(200);
    expect((await api(server.url, issued.access_token)).status).toBe(401);
    const after = await token(server.url, {
      grant_type: "refresh_token",
      refresh_token: String(issued.refresh_token),
      ...CLIENT,
    });
    expect(after.body.error).toBe("invalid_grant");
  });

  it("faults apply to the matching endpoint and grant only, `times` times", async () => {
    const server = await platform();
    server.injectFault({ kind: "status", status: 502, grant: "refresh_token", times: 2 });
    server.injectFault({ kind: "status", status: 500, on: "api" });
    const issued = (
      await token(server.url, { grant_type: "password", username: "demo", password: "demo-password", ...CLIENT })
    ).body;
    expect((await api(server.url, issued.access_token)).status).toBe(500);
    expect((await api(server.url, issued.access_token)).status).toBe(200);
    const refresh = () =>
      token(server.url, { grant_type: "refresh_token", refresh_token: String(issued.refresh_token), ...CLIENT });
    expect((await refresh()).status).toBe(502);
    expect((await refresh()).status).toBe(502);
    expect((await refresh()).status).toBe(200);
    expect(server.stats.faultsInjected).toBe(3);
    expect(() => server.injectFault({ kind: "explode" as "hang" })).toThrow(TypeError);
  });
});
