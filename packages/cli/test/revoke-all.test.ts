import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "@sessionstore/cli";
import { createMemoryStore, createSessionManager, revokeAll, type SessionManager } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterEach, describe, expect, it } from "vitest";
import { PlatformClient } from "../../client/src/index.js";
import { runCliProcess } from "./support/cli-process.js";
import { sharedMemoryStore } from "./support/harness.js";

const CLIENT = { clientId: "demo-client", clientSecret: "demo-secret" };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function platform(): Promise<FakePlatform> {
  const server = await startFakePlatform();
  cleanups.push(() => server.close());
  return server;
}

/** Real tokens from the platform's password grant, `count` of them, a few requests at a time. */
async function issueTokens(server: FakePlatform, count: number): Promise<object[]> {
  const tokens: object[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const response = await fetch(server.tokenURL, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: "demo", password: "demo-password", ...toForm() }),
      });
      if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
      tokens[index] = (await response.json()) as object;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

function toForm() {
  return { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
}

/** One session per subject `user-<first + i>`, holding the platform's real tokens. */
async function seedSessions(manager: SessionManager, tokens: readonly object[], first = 0): Promise<void> {
  await Promise.all(tokens.map((token, index) => manager.forSubject(`user-${first + index}`).write("password", token)));
}

async function refreshWith(server: FakePlatform, refreshToken: string): Promise<number> {
  const response = await fetch(server.tokenURL, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, ...toForm() }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("revokeAll(manager, options)", () => {
  it("revokes 1,000 sessions at the platform and leaves none in the store", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore(), { namespace: "revoke-1000" });
    await seedSessions(manager, await issueTokens(server, 1_000));
    const sample = await manager.forSubject("user-500").get("password");
    server.resetStats();
    const progress: number[] = [];

    const summary = await revokeAll(manager, {
      revokeURL: server.revokeURL,
      ...CLIENT,
      concurrency: 16,
      onProgress: ({ done }) => progress.push(done),
    });

    expect(summary).toEqual({ total: 1_000, revoked: 1_000, deleted: 1_000, failed: [] });
    expect(server.stats.revokeCalls).toBe(1_000);
    expect(await manager.list()).toEqual([]);
    expect(progress).toHaveLength(1_000);
    expect(progress.at(-1)).toBe(1_000);
    // Revoked for real: the refresh token no longer works.
    expect(await refreshWith(server, sample?.refreshToken ?? "")).toBe(400);
    expect(server.stats.invalidGrant).toBe(1);
  }, 120_000);

  it("manager.revokeAll(options) is the same operation, on a real SQLite store", async () => {
    const server = await platform();
    const dir = await mkdtemp(join(tmpdir(), "sessionstore-revoke-method-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = createSqliteStore({ path: join(dir, "sessions.db") });
    cleanups.push(() => store.close());
    const manager = createSessionManager(store, { namespace: "revoke-method" });
    await seedSessions(manager, await issueTokens(server, 20));
    const sample = await manager.forSubject("user-7").get("password");
    server.resetStats();

    const summary = await manager.forSubject("user-3").revokeAll({ revokeURL: server.revokeURL, ...CLIENT });

    // Every subject of the namespace, whichever subject's manager is asked.
    expect(summary).toEqual({ total: 20, revoked: 20, deleted: 20, failed: [] });
    expect(server.stats.revokeCalls).toBe(20);
    expect(await manager.list()).toEqual([]);
    expect(await refreshWith(server, sample?.refreshToken ?? "")).toBe(400);
  }, 60_000);

  it("retries a revocation answered 5xx once, with client_secret_basic too", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    await seedSessions(manager, await issueTokens(server, 3));
    server.resetStats();
    server.injectFault({ kind: "status", on: "revoke", status: 503, times: 1 });
    const summary = await revokeAll(manager, {
      revokeURL: server.revokeURL,
      ...CLIENT,
      clientAuthMethod: "client_secret_basic",
      retryDelayMs: 5,
    });
    expect(summary).toEqual({ total: 3, revoked: 3, deleted: 3, failed: [] });
    expect(server.stats.revokeCalls).toBe(4);
  });

  it("reports a permanently failing revocation, keeps that session, and never shows a token or the secret", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    const tokens = await issueTokens(server, 2);
    await seedSessions(manager, tokens);
    server.resetStats();
    server.injectFault({ kind: "status", on: "revoke", status: 500, times: 1_000 });
    const summary = await revokeAll(manager, { revokeURL: server.revokeURL, ...CLIENT, retries: 2, retryDelayMs: 5 });
    expect(summary.revoked).toBe(0);
    expect(summary.deleted).toBe(0);
    expect(summary.failed.map((failure) => failure.key).sort()).toEqual([
      "sessionstore:user-0:password",
      "sessionstore:user-1:password",
    ]);
    expect(server.stats.revokeCalls).toBe(6);
    expect((await manager.list()).length).toBe(2);
    const shown = JSON.stringify(summary.failed.map(({ error }) => ({ json: error, message: error.message })));
    expect(shown).toContain("ERR_REVOKE_FAILED");
    expect(shown).toContain("answered 500");
    for (const token of tokens as { access_token: string; refresh_token: string }[]) {
      expect(shown).not.toContain(token.access_token);
      expect(shown).not.toContain(token.refresh_token);
    }
    expect(shown).not.toContain(CLIENT.clientSecret);
  });

  it("does not retry a refusal (4xx), and an unknown client is a refusal", async () => {
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    await seedSessions(manager, await issueTokens(server, 1));
    server.resetStats();
    const summary = await revokeAll(manager, { revokeURL: server.revokeURL, clientId: "nobody", retryDelayMs: 5 });
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]?.error.message).toMatch(/answered 401 \(invalid_client\)/);
    expect(server.stats.revokeCalls).toBe(1);
  });

  it("refuses bad options, naming the field, before touching anything", async () => {
    const manager = createSessionManager(createMemoryStore());
    await expect(revokeAll(manager, { revokeURL: "not a url", clientId: "c" })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.revokeURL",
    });
    await expect(revokeAll(manager, { revokeURL: "https://x.example/revoke", clientId: "" })).rejects.toMatchObject({
      field: "options.clientId",
    });
    await expect(
      revokeAll(manager, { revokeURL: "https://x.example/revoke", clientId: "c", concurrency: 0 }),
    ).rejects.toMatchObject({ field: "options.concurrency" });
  });
});

describe("sessionstore revoke-all", () => {
  async function sqliteStore() {
    const dir = await mkdtemp(join(tmpdir(), "sessionstore-revoke-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, "sessions.db");
    const store = createSqliteStore({ path });
    cleanups.push(async () => store.close());
    return { path, store };
  }

  it("revokes every session; a live client in this process drops its token through watch", async () => {
    const server = await platform();
    const { path, store } = await sqliteStore();
    const namespace = `cli-revoke-${randomUUID().slice(0, 8)}`;
    const manager = createSessionManager(store, { namespace });
    const live = new PlatformClient(
      { authType: "password", ...CLIENT },
      { apiURL: server.url, sessionStore: manager.forSubject("user-0"), refreshJitterMs: 0 },
    );
    cleanups.push(async () => live.close());
    await live.authenticateWithCredentials("demo", "demo-password");
    await seedSessions(manager, await issueTokens(server, 19), 1);
    await live.request("GET", "/items/1");
    const ended = new Promise<string>((resolve) => live.on("logout", (event) => resolve(event.reason)));
    server.resetStats();

    const result = await runCliProcess(
      [
        "revoke-all",
        ...["--store", `sqlite:${path}`, "--namespace", namespace, "--revoke-url", server.revokeURL],
        ...["--client-id", CLIENT.clientId, "--client-secret-env", "APP_SECRET", "--json"],
      ],
      { env: { APP_SECRET: CLIENT.clientSecret }, killAfterMs: 60_000 },
    );

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ namespace, total: 20, revoked: 20, deleted: 20, failed: [] });
    expect(server.stats.revokeCalls).toBe(20);
    expect(await ended).toBe("elsewhere");
    await expect(live.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
    expect(await manager.list()).toEqual([]);
  }, 60_000);

  it("exits 6 and lists what the platform would not revoke; those sessions stay", async () => {
    const server = await platform();
    const { path, store } = await sqliteStore();
    const manager = createSessionManager(store);
    await seedSessions(manager, await issueTokens(server, 2));
    server.injectFault({ kind: "status", on: "revoke", status: 502, times: 1_000 });
    const result = await runCliProcess(
      [
        "revoke-all",
        "--store",
        `sqlite:${path}`,
        "--revoke-url",
        server.revokeURL,
        "--client-id",
        CLIENT.clientId,
        "--json",
      ],
      { killAfterMs: 60_000 },
    );
    expect(result.code).toBe(6);
    const summary = JSON.parse(result.stdout) as { failed: { key: string; code: string }[]; revoked: number };
    expect(summary.revoked).toBe(0);
    expect(summary.failed.map((failure) => failure.code)).toEqual(["ERR_REVOKE_FAILED", "ERR_REVOKE_FAILED"]);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: "ERR_REVOKE_FAILED", exitCode: 6 } });
    expect((await manager.list()).length).toBe(2);
  }, 60_000);

  it("draws a progress bar on stderr when it is a terminal, and prints a text summary", async () => {
    const server = await platform();
    const { store, opener } = sharedMemoryStore();
    await seedSessions(createSessionManager(store), await issueTokens(server, 3));
    let stdout = "";
    let stderr = "";
    const code = await runCli(
      [
        ...["revoke-all", "--store", "sqlite:./unused.db", "--revoke-url", server.revokeURL],
        ...["--client-id", CLIENT.clientId, "--client-secret-env", "APP_SECRET"],
      ],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { isTTY: true, write: (text: string) => (stderr += text) } as { write(text: string): unknown },
        env: { APP_SECRET: CLIENT.clientSecret },
        openStore: opener,
      },
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/\r\[#{30}\] 3\/3 revoked\n$/);
    expect(stdout).toMatch(/^Revoked 3 of 3 sessions in namespace "sessionstore" .*; deleted 3\.\n$/);
  });

  it("asks for what it needs: --revoke-url, --client-id, a set --client-secret-env variable", async () => {
    for (const [args, message] of [
      [["--client-id", "c"], /--revoke-url is required/],
      [["--revoke-url", "https://x.example/r"], /--client-id is required/],
      [["--revoke-url", "ftp://x", "--client-id", "c"], /--revoke-url must be an absolute http\(s\) URL/],
      [["--revoke-url", "https://x.example/r", "--client-id", "c", "--client-secret-env", "NOPE"], /NOPE is not set/],
    ] as const) {
      const result = await runCliProcess(["revoke-all", "--store", "sqlite:/nonexistent/s.db", ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);
});
