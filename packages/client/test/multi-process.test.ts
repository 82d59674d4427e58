import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createSessionManager } from "@sessionstore/core";
import { afterAll, describe, expect, it } from "vitest";
import { makeClient, platform } from "./helpers.js";
import { crossProcessBackends } from "./stores.js";

const WORKERS = 8;
const REQUESTS_PER_WORKER = 5;
const worker = fileURLToPath(new URL("./fixtures/refresh-worker.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

interface Done {
  type: "done";
  ok: number;
  failures: string[];
  events: string[];
}

function waitFor<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return;
      child.off("exit", onExit);
      child.off("message", onMessage);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`worker exited with ${code} before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

const backends = crossProcessBackends();
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
    const stored = await manager.read("password");
    await manager.write(
      "password",
      { ...stored?.auth, expiresAt: Date.now() - 1000 },
      { fingerprint: stored?.fingerprint ?? "" },
    );
    server.expireAccessTokens();
    server.resetStats();

    const children = Array.from({ length: WORKERS }, () =>
      fork(worker, [JSON.stringify(backend.spec), server.url, String(REQUESTS_PER_WORKER)], {
        cwd: repoRoot,
        execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      }),
    );
    try {
      await Promise.all(children.map((child) => waitFor(child, "ready")));
      const done = children.map((child) => waitFor<Done>(child, "done"));
      for (const child of children) child.send("go");
      const reports = await Promise.all(done);

      expect(reports.flatMap((report) => report.failures)).toEqual([]);
      expect(reports.reduce((sum, report) => sum + report.ok, 0)).toBe(WORKERS * REQUESTS_PER_WORKER);
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.invalidGrant).toBe(0);
      expect(server.stats.reuseDetected).toBe(0);
      const events = reports.flatMap((report) => report.events).sort();
      expect(events.filter((event) => event === "refreshed")).toHaveLength(1);
      expect(events.filter((event) => event === "adopted")).toHaveLength(WORKERS - 1);
      const renewed = await manager.get("password");
      expect(renewed?.refreshToken).not.toBe(stored?.auth.refreshToken);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  }, 60_000);
});
