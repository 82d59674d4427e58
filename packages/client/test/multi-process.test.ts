import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createSessionManager } from "@sessionstore/core";
import { forkTsx, message } from "@sessionstore/testkit/support";
import { afterAll, describe, expect, it } from "vitest";
import { makeClient, platform } from "./support/harness.js";
import { crossProcessBackends, lockedKeyvBackend } from "./support/stores.js";
import { type Done, expireStoredSession, runWorkers } from "./support/storm.js";

const WORKERS = 8;
const REQUESTS_PER_WORKER = 25;
const worker = fileURLToPath(new URL("./fixtures/refresh-worker.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

function startWorker(spec: unknown, url: string, env: Record<string, string> = {}): ChildProcess {
  return forkTsx(worker, [JSON.stringify(spec), url, String(REQUESTS_PER_WORKER)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
}

const backends = [...crossProcessBackends(), lockedKeyvBackend()];
afterAll(async () => {
  for (const backend of backends) await backend.cleanup();
});

describe.each(backends)("$name store shared by 8 processes", (backend) => {
  it("an expired token is refreshed exactly once across all of them, with no failure and no invalid_grant", async () => {
    const server = await platform();
    const manager = createSessionManager(await backend.open());
    const signIn = makeClient(server, { sessionStore: manager });
    await signIn.authenticateWithCredentials("demo", "demo-password");
    // Expired twice over: by its recorded expiry (early-refresh path) and at the server (401 path).
    const stored = await expireStoredSession(manager);
    server.expireAccessTokens();
    server.resetStats();

    const children = Array.from({ length: WORKERS }, () => startWorker(backend.spec, server.url));
    try {
      const reports = await runWorkers(children);

      expect(reports.flatMap((report) => report.failures)).toEqual([]);
      expect(reports.reduce((sum, report) => sum + report.ok, 0)).toBe(WORKERS * REQUESTS_PER_WORKER);
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.invalidGrant).toBe(0);
      expect(server.stats.reuseDetected).toBe(0);
      const events = reports.flatMap((report) => report.events).sort();
      expect(events.filter((event) => event === "refreshed")).toHaveLength(1);
      // Every other worker adopted the new pair once: found under the lock, or reported by the store's watch.
      expect(events.filter((event) => event === "adopted")).toHaveLength(WORKERS - 1);
      const renewed = await manager.get("password");
      expect(renewed?.refreshToken).not.toBe(stored?.auth.refreshToken);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  }, 60_000);
});

describe("a refresh holder killed while it holds the lock", () => {
  const [sqlite] = backends.filter((backend) => backend.name === "sqlite");

  it("does not block the others past its lease, and never got to spend the refresh token", async () => {
    if (!sqlite) throw new Error("the SQLite backend is missing");
    const server = await platform();
    const manager = createSessionManager(await sqlite.open(), { subject: "killed-holder" });
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    await expireStoredSession(manager);
    server.resetStats();
    const spec = { ...sqlite.spec };
    const env = { WORKER_LOCK_TTL_MS: "1500" };

    const holder = startWorker(spec, server.url, {
      ...env,
      WORKER_HANG_IN_REFRESH: "1",
      WORKER_SUBJECT: "killed-holder",
    });
    await message(holder, "ready");
    holder.send("go");
    await message(holder, "refreshing");
    holder.kill("SIGKILL");
    await once(holder, "exit");

    const next = startWorker(spec, server.url, { ...env, WORKER_SUBJECT: "killed-holder" });
    try {
      await message(next, "ready");
      const done = message<Done>(next, "done");
      next.send("go");
      const report = await done;
      expect(report.failures).toEqual([]);
      expect(report.events).toEqual(["refreshed"]);
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.invalidGrant).toBe(0);
    } finally {
      if (next.exitCode === null) next.kill();
    }
  }, 60_000);
});

/** A refresh the process ran itself (not a pair a store's watch reported). */
function isOwnRefresh(span: { name: string; attributes: Record<string, unknown> }): boolean {
  return span.name === "sessionstore.refresh" && span.attributes["sessionstore.refresh.trigger"] !== "watch";
}

describe("the 8-process storm, traced in every process", () => {
  const [sqlite] = backends.filter((backend) => backend.name === "sqlite");

  it("the spans exported from the processes show one performed refresh and seven adopted", async () => {
    if (!sqlite) throw new Error("the SQLite backend is missing");
    const server = await platform();
    const manager = createSessionManager(await sqlite.open(), { subject: "traced-storm" });
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    await expireStoredSession(manager);
    server.resetStats();
    const env = { WORKER_OTEL: "1", WORKER_SUBJECT: "traced-storm" };
    const children = Array.from({ length: WORKERS }, () => startWorker(sqlite.spec, server.url, env));
    try {
      const reports = await runWorkers(children);

      expect(reports.flatMap((report) => report.failures)).toEqual([]);
      expect(server.stats.tokenCalls).toBe(1);
      const refreshes = reports.map((report) => (report.spans ?? []).filter(isOwnRefresh));
      // One refresh per process: its own requests shared it.
      expect(refreshes.map((spans) => spans.length)).toEqual(Array(WORKERS).fill(1));
      const results = refreshes.flat().map((span) => span.attributes["sessionstore.refresh.result"]);
      expect(results.filter((result) => result === "performed")).toHaveLength(1);
      expect(results.filter((result) => result === "adopted")).toHaveLength(WORKERS - 1);
      for (const report of reports) {
        const [refresh] = (report.spans ?? []).filter(isOwnRefresh);
        const tokenCalls = (report.spans ?? []).filter((span) => span.name === "sessionstore.token_request");
        // The performer's token call is its refresh's child; an adopter made none.
        const performed = refresh?.attributes["sessionstore.refresh.result"] === "performed";
        expect(tokenCalls.map((span) => span.parentSpanId)).toEqual(performed ? [refresh?.spanId] : []);
        expect(refresh?.attributes["sessionstore.lock.wait_ms"]).toBeTypeOf("number");
        const lock = (report.spans ?? []).find((span) => span.name === "sessionstore.store.lock");
        expect(lock?.attributes["sessionstore.store.kind"]).toBe("sqlite");
      }
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  }, 60_000);
});
