import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSessionManager, type SessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const serverScript = fileURLToPath(new URL("../server.mjs", import.meta.url));
const redisPrefix = `example-express-${randomBytes(6).toString("hex")}`;
const users = { alice: "alice-password", bob: "bob-password" };

let platform: FakePlatform;
let cwd: string;
let sessions: SessionManager;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

/** Starts server.mjs as its own process, as `pnpm start` would, and waits for its URL. */
async function startServer(): Promise<Running> {
  const { PLATFORM_URL: _a, ADMIN_TOKEN: _b, ...parentEnv } = process.env;
  const child = spawn(tsx, ["--conditions=@sessionstore/source", serverScript], {
    cwd,
    env: {
      ...parentEnv,
      PORT: "0",
      PLATFORM_URL: platform.url,
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_PREFIX: redisPrefix,
      APP_SECRET: "test-cookie-secret",
      ADMIN_TOKEN: "test-admin-token",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    child.stdout.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

async function stopServer(server: Running): Promise<number | null> {
  const exited = once(server.child, "exit");
  server.child.kill("SIGTERM");
  const [code] = await exited;
  return code as number | null;
}

async function call(
  server: Running,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.body ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text), cookie: response.headers.get("set-cookie") };
}

async function login(server: Running, username: keyof typeof users): Promise<string> {
  const answer = await call(server, "POST", "/login", { body: { username, password: users[username] } });
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({ userId: username, session: { subject: username, refreshable: true } });
  return (answer.cookie ?? "").split(";")[0] as string;
}

async function storedAccessToken(subject: string): Promise<string | undefined> {
  return (await sessions.forSubject(subject).get("password"))?.accessToken;
}

beforeAll(async () => {
  platform = await startFakePlatform({ users });
  cwd = mkdtempSync(join(tmpdir(), "sessionstore-express-redis-"));
  sessions = createSessionManager(createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: redisPrefix }), {
    namespace: "example-app",
  });
});

afterAll(async () => {
  await sessions?.clear();
  await sessions?.close();
  await platform?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("examples/express-redis", () => {
  it("keeps each user's session in Redis under subject = user id; a restarted server restores them with 0 token calls", async () => {
    let server = await startServer();
    const alice = await login(server, "alice");
    const bob = await login(server, "bob");
    expect(platform.stats.tokenCalls).toBe(2);

    // Each user's API calls go out with that user's own token.
    expect((await call(server, "GET", "/me/platform-status", { cookie: alice })).json.user.username).toBe("alice");
    expect((await call(server, "GET", "/me/platform-status", { cookie: bob })).json.user.username).toBe("bob");
    expect(await call(server, "GET", "/me/platform-status")).toMatchObject({ status: 401 });

    // Redis holds one session per user.
    const listed = await sessions.list();
    expect(listed.map(({ subject, authType }) => `${subject}/${authType}`).sort()).toEqual([
      "alice/password",
      "bob/password",
    ]);
    const aliceToken = await storedAccessToken("alice");
    const bobToken = await storedAccessToken("bob");

    // Restart: a new process with empty memory.
    expect(await stopServer(server)).toBe(0);
    server = await startServer();
    const tokenCallsBefore = platform.stats.tokenCalls;
    expect((await call(server, "GET", "/me/platform-status", { cookie: alice })).json.user.username).toBe("alice");
    expect((await call(server, "GET", "/me/platform-status", { cookie: bob })).json.user.username).toBe("bob");
    const me = await call(server, "GET", "/me", { cookie: alice });
    expect(me.json).toMatchObject({ userId: "alice", session: { subject: "alice", refreshable: true } });
    expect(platform.stats.tokenCalls - tokenCallsBefore).toBe(0); // restored from Redis, not re-issued
    expect(platform.stats.apiUnauthorized).toBe(0);

    // Expired tokens: one refresh per user, and Redis holds the new pairs for the next restart.
    platform.expireAccessTokens();
    expect((await call(server, "GET", "/me/platform-status", { cookie: alice })).status).toBe(200);
    expect((await call(server, "GET", "/me/platform-status", { cookie: bob })).status).toBe(200);
    expect(platform.stats.refreshCalls).toBe(2);
    expect(await storedAccessToken("alice")).not.toBe(aliceToken);
    expect(await storedAccessToken("bob")).not.toBe(bobToken);

    // Logging alice out deletes her session only.
    expect((await call(server, "POST", "/logout", { cookie: alice })).status).toBe(200);
    expect(await storedAccessToken("alice")).toBeUndefined();
    expect(await storedAccessToken("bob")).toEqual(expect.any(String));
    expect((await call(server, "GET", "/me/platform-status", { cookie: alice })).status).toBe(401);

    // "Revoke for all users".
    expect((await call(server, "POST", "/admin/logout-everyone")).status).toBe(404);
    const cleared = await call(server, "POST", "/admin/logout-everyone", {
      headers: { "x-admin-token": "test-admin-token" },
    });
    expect(cleared.json).toEqual({ deleted: 1 });
    expect(await sessions.list()).toEqual([]);
    expect((await call(server, "GET", "/me/platform-status", { cookie: bob })).json).toEqual({
      error: "ERR_NOT_AUTHENTICATED",
    });

    expect(await stopServer(server)).toBe(0);
    // Nothing the server printed or answered carried a token.
    for (const token of [aliceToken, bobToken]) expect(server.output()).not.toContain(token);
  });

  it("refuses a wrong password and a forged cookie", async () => {
    const server = await startServer();
    try {
      const wrong = await call(server, "POST", "/login", { body: { username: "alice", password: "nope" } });
      expect(wrong).toMatchObject({ status: 401, json: { error: "ERR_TOKEN_REQUEST" } });
      const forged = `uid=${Buffer.from("alice").toString("base64url")}.not-the-signature`;
      expect((await call(server, "GET", "/me", { cookie: forged })).status).toBe(401);
    } finally {
      await stopServer(server);
    }
  });
});
