import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PlatformClient } from "@sessionstore/client";
import { createSessionManager, type SessionStore } from "@sessionstore/core";
import { startFakePlatform } from "@sessionstore/testkit/platform";

// The client package's worker: restores the shared session, then makes N requests on "go".
const worker = fileURLToPath(new URL("../../../client/test/fixtures/refresh-worker.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

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

/** What one storm measured. */
export interface StormResult {
  readonly tokenCalls: number;
  readonly invalidGrant: number;
  readonly reuseDetected: number;
  readonly ok: number;
  readonly failures: string[];
  readonly events: string[];
}

/**
 * Signs in through `store`, makes the access token expired (in the record and
 * at the platform), then lets `workers` processes, each opening the store
 * from `spec`, make `requests` requests at once against a platform that
 * rotates refresh tokens and revokes the family on reuse.
 */
export async function refreshStorm(
  store: SessionStore,
  spec: object,
  workers: number,
  requests: number,
): Promise<StormResult> {
  const server = await startFakePlatform();
  const children: ChildProcess[] = [];
  try {
    const manager = createSessionManager(store);
    const signIn = new PlatformClient(
      { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
      { apiURL: server.url, sessionStore: manager, refreshJitterMs: 0 },
    );
    await signIn.authenticateWithCredentials("demo", "demo-password");
    const stored = await manager.read("password");
    await manager.write(
      "password",
      { ...stored?.auth, expiresAt: Date.now() - 1000 },
      { fingerprint: stored?.fingerprint ?? "" },
    );
    server.expireAccessTokens();
    server.resetStats();
    for (let i = 0; i < workers; i += 1) {
      children.push(
        fork(worker, [JSON.stringify(spec), server.url, String(requests)], {
          cwd: repoRoot,
          execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      );
    }
    await Promise.all(children.map((child) => waitFor(child, "ready")));
    const done = children.map((child) => waitFor<Done>(child, "done"));
    for (const child of children) child.send("go");
    const reports = await Promise.all(done);
    return {
      tokenCalls: server.stats.tokenCalls,
      invalidGrant: server.stats.invalidGrant,
      reuseDetected: server.stats.reuseDetected,
      ok: reports.reduce((sum, report) => sum + report.ok, 0),
      failures: reports.flatMap((report) => report.failures),
      events: reports.flatMap((report) => report.events),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await server.close();
  }
}
