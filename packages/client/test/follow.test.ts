import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeClient, platform } from "./support/harness.js";
import { crossProcessBackends } from "./support/stores.js";

// Two processes on one store: this one (A) and a forked worker (B) that keeps calling the API.
const worker = fileURLToPath(new URL("./fixtures/follow-worker.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** The watch contract: a change anywhere is seen everywhere within a second. */
const WITHIN_MS = 1_000;

interface WorkerMessage {
  type: string;
  ok?: number;
  reason?: string;
  adopted?: boolean;
  trigger?: string;
  failures?: string[];
  startedAfterEnd?: boolean;
}

/** A worker and the messages it sent so far, in order, with when each arrived. */
function startWorker(spec: unknown, url: string) {
  const child: ChildProcess = fork(worker, [JSON.stringify(spec), url], {
    cwd: repoRoot,
    execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const received: { message: WorkerMessage; at: number }[] = [];
  const waiters = new Set<() => void>();
  child.on("message", (message: WorkerMessage) => {
    received.push({ message, at: performance.now() });
    for (const wake of [...waiters]) wake();
  });
  /** Resolves with the first message matching `test` (already received or not); rejects after `withinMs`. */
  const next = (test: (message: WorkerMessage) => boolean, withinMs = 30_000) =>
    new Promise<{ message: WorkerMessage; at: number }>((resolve, reject) => {
      const check = () => {
        const found = received.find((entry) => test(entry.message));
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`worker sent no matching message within ${withinMs} ms: ${JSON.stringify(received)}`));
      }, withinMs);
      waiters.add(check);
      check();
    });
  return { child, received, next };
}

const backends = crossProcessBackends();
afterAll(async () => {
  for (const backend of backends) await backend.cleanup();
});

describe.each(backends)("$name store: a second process follows this one through watch", (backend) => {
  it("a logout here (no revoke endpoint) ends the session in the other process within 1 s", async () => {
    const server = await platform();
    const a = makeClient(server, { sessionStore: await backend.open() });
    await a.authenticateWithCredentials("demo", "demo-password");
    const b = startWorker(backend.spec, server.url);
    try {
      await b.next((m) => m.type === "ready");
      b.child.send("go");
      await b.next((m) => m.type === "ok" && (m.ok ?? 0) >= 3);

      const result = await a.logout();
      const loggedOutAt = performance.now();
      expect(result.revoked).toBe(false);
      const okBefore = b.received.filter((entry) => entry.message.type === "ok").length;

      const ended = await b.next((m) => m.type === "logout");
      expect(ended.message.reason).toBe("elsewhere");
      const latency = ended.at - loggedOutAt;
      expect(latency).toBeLessThan(WITHIN_MS);

      // B's calls now fail for want of a session; none it started after its 'logout' event succeeded.
      const failed = await b.next((m) => m.type === "failed");
      expect(failed.message.reason).toBe("ERR_NOT_AUTHENTICATED");
      b.child.send("stop");
      const done = await b.next((m) => m.type === "done");
      expect(b.received.filter((entry) => entry.message.type === "ok" && entry.message.startedAfterEnd)).toEqual([]);
      // Calls that succeeded between the logout here and the event there: bounded by the latency.
      const okAfterLogout = (done.message.ok ?? 0) - okBefore;
      expect(okAfterLogout).toBeLessThan(WITHIN_MS / 10);
      console.info(
        `[follow] ${backend.name}: logout seen after ${Math.round(latency)} ms, ${okAfterLogout} calls in between`,
      );
    } finally {
      if (b.child.exitCode === null) b.child.kill();
      a.close();
    }
  }, 60_000);

  it("a refresh here is adopted by the other process without a token call", async () => {
    const server = await platform();
    const store = await backend.open();
    await makeClient(server, { sessionStore: store }).authenticateWithCredentials("demo", "demo-password");
    // A's clock runs 59.5 minutes ahead: the hour-long token is within its refresh margin there, not in B.
    const a = makeClient(server, { sessionStore: store, now: () => Date.now() + 3_570_000 });
    const b = startWorker(backend.spec, server.url);
    try {
      await b.next((m) => m.type === "ready");
      server.resetStats();
      const refreshedAt = performance.now();
      await a.request("GET", "/items/from-a");
      expect(server.stats.refreshCalls).toBe(1);

      const adopted = await b.next((m) => m.type === "refresh");
      expect(adopted.message).toMatchObject({ adopted: true, trigger: "watch" });
      console.info(`[follow] ${backend.name}: refresh adopted after ${Math.round(adopted.at - refreshedAt)} ms`);
      b.child.send("go");
      await b.next((m) => m.type === "ok" && (m.ok ?? 0) >= 3);
      b.child.send("stop");
      const done = await b.next((m) => m.type === "done");
      expect(done.message.failures).toEqual([]);
      expect(server.stats.tokenCalls).toBe(1);
      expect(server.stats.invalidGrant).toBe(0);
      expect(server.stats.reuseDetected).toBe(0);
    } finally {
      if (b.child.exitCode === null) b.child.kill();
      a.close();
    }
  }, 60_000);
});
