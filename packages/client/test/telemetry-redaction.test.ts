import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createMemoryStore, createSessionManager, type JsonObject, type SessionStore } from "@sessionstore/core";
import { afterEach, describe, expect, it } from "vitest";
import { PlatformClient } from "../src/index.js";
import { platform, testClock } from "./support/harness.js";
import { otelSdk } from "./support/otel.js";

const sdks: ReturnType<typeof otelSdk>[] = [];
afterEach(async () => {
  for (const sdk of sdks.splice(0)) await sdk.shutdown();
});

const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

/** Follows the authorize URL like a browser would (the fake platform approves at once). */
async function authorize(url: string): Promise<URL> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

/** A memory store whose reads fail while `down` is set, as a backend outage does. */
function flakyStore(): SessionStore & { down: boolean } {
  const inner = createMemoryStore();
  return {
    down: false,
    capabilities: inner.capabilities,
    kind: "flaky",
    get(key) {
      if (this.down) throw new Error("connection refused");
      return inner.get(key);
    },
    set: (key: string, record: JsonObject, options) => inner.set(key, record, options),
    delete: (key) => inner.delete(key),
    lock: (key, options) => inner.lock(key, options),
    close: () => inner.close(),
  };
}

describe("nothing secret reaches an exporter or the debug log", () => {
  it("after sign-ins (password, code), refreshes, failures, a store outage and logout with revocation", async () => {
    const password = secret("pw");
    const clientSecret = secret("cs");
    const server = await platform({
      users: { alice: password },
      clients: [{ clientId: "leak-client", clientSecret }],
    });
    const otel = otelSdk();
    sdks.push(otel);
    const lines: string[] = [];
    const clock = testClock();
    const store = flakyStore();
    const manager = createSessionManager(store);
    const options = {
      apiURL: server.url,
      revokeURL: server.revokeURL,
      sessionStore: manager,
      now: clock.now,
      refreshJitterMs: 0,
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
      logger: { debug: (line: string) => lines.push(line) },
    };
    const secrets = [password, clientSecret];
    const holdTokens = async (authType: "password" | "server") => {
      const auth = await manager.get(authType);
      for (const value of [auth?.accessToken, auth?.refreshToken]) if (value) secrets.push(value);
    };

    const client = new PlatformClient({ authType: "password", clientId: "leak-client", clientSecret }, options);
    await expect(client.authenticateWithCredentials("alice", `${password}-wrong`)).rejects.toMatchObject({
      code: "ERR_TOKEN_REQUEST",
    });
    secrets.push(`${password}-wrong`);
    await client.authenticateWithCredentials("alice", password);
    await holdTokens("password");
    clock.advance(3_600_000);
    await client.request("GET", "/items/1"); // refresh: expiring
    await holdTokens("password");
    server.injectFault({ kind: "status", status: 503, grant: "refresh_token" });
    clock.advance(3_600_000);
    await expect(client.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_SERVER" });
    server.expireAccessTokens();
    await client.request("GET", "/items/3"); // refresh: unauthorized
    await holdTokens("password");
    store.down = true;
    await expect(client.isAuthenticated()).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    store.down = false;
    await expect(client.logout()).resolves.toEqual({ revoked: true });

    const coder = new PlatformClient({ authType: "server", clientId: "leak-client", clientSecret }, options);
    const redirect = await authorize(coder.getAuthorizationURL("http://localhost:3000/cb"));
    const code = redirect.searchParams.get("code") ?? "";
    secrets.push(code);
    await coder.handleRedirect(redirect.toString());
    await holdTokens("server");
    await coder.logout();

    // The test has to see the telemetry it greps, or it proves nothing.
    const text = await otel.everything();
    expect(otel.named("sessionstore.token_request").length).toBeGreaterThanOrEqual(6);
    expect(otel.named("sessionstore.revoke")).toHaveLength(2);
    expect(text).toContain("ERR_STORE_UNAVAILABLE");
    expect(lines.some((line) => line.startsWith("sessionstore: store read failed store=flaky"))).toBe(true);
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    for (const value of secrets) {
      expect(value.length).toBeGreaterThan(8);
      expect(text).not.toContain(value);
      for (const line of lines) expect(line).not.toContain(value);
    }
  });
});

describe("the debug log", () => {
  it("writes one line per token call, refresh decision and lock wait to the logger option", async () => {
    const server = await platform();
    const clock = testClock();
    const lines: string[] = [];
    const client = new PlatformClient(
      { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
      {
        apiURL: server.url,
        sessionStore: createSessionManager(createMemoryStore()),
        now: clock.now,
        refreshJitterMs: 0,
        logger: { debug: (line) => lines.push(line) },
      },
    );
    await client.authenticateWithCredentials("demo", "demo-password");
    clock.advance(3_600_000);
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.request("GET", `/items/${i}`)));
    const shapes = lines.map((line) => line.replace(/=\d+(\.\d+)?/g, "=N"));
    expect(shapes).toEqual([
      "sessionstore: token call grant_type=password outcome=success status=N ms=N",
      "sessionstore: lock wait store=memory waited_ms=N acquired=true",
      "sessionstore: token call grant_type=refresh_token outcome=success status=N ms=N",
      "sessionstore: refresh trigger=expiring result=performed lock_wait_ms=N",
    ]);
  });

  const fixture = fileURLToPath(new URL("./fixtures/debug-env.ts", import.meta.url));
  const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

  /** Runs the fixture (sign in, one request) in a real process; resolves its stderr. */
  async function stderrOf(url: string, env: Record<string, string | undefined>): Promise<string> {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@sessionstore/source", fixture, url], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect({ code, stdout }).toEqual({ code: 0, stdout: "ok\n" });
    return stderr;
  }

  it("SESSIONSTORE_DEBUG=1 writes the lines to stderr, and without it nothing is written", async () => {
    const server = await platform();
    const on = await stderrOf(server.url, { SESSIONSTORE_DEBUG: "1" });
    expect(on).toMatch(/^sessionstore: token call grant_type=password outcome=success status=200 ms=[\d.]+$/m);
    expect(on).not.toContain("demo-password");
    expect(on).not.toContain("demo-secret");
    const off = await stderrOf(server.url, { SESSIONSTORE_DEBUG: undefined });
    expect(off).toBe("");
  }, 60_000);

  it("works, and still logs, where @opentelemetry/api is not installed (the optional peer is missing)", async () => {
    const server = await platform();
    const stderr = await stderrOf(server.url, { SESSIONSTORE_DEBUG: "1", HIDE_OTEL_API: "1" });
    expect(stderr).toMatch(/^sessionstore: token call grant_type=password outcome=success status=200 ms=[\d.]+$/m);
    expect(server.stats.apiCalls).toBe(1);
  }, 60_000);
});
