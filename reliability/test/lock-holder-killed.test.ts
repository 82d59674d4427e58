// The process holding the store's refresh lock is SIGKILLed in the middle of a
// refresh (file, SQLite, Redis). The others wait while its lease lasts, one of
// them takes over after it, and exactly one refresh reaches the token endpoint
// per lease: no second refresh, no reuse of a rotated token, no invalid_grant.
import type { ChildProcess } from "node:child_process";
import { createSessionManager } from "@sessionstore/core";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { exited } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RefreshWorkerDone } from "./fixtures/refresh-worker.js";
import { type Backend, lockingBackends } from "./support/backends.js";
import { bundleFixture, killGroup, message, startChild } from "./support/children.js";
import { expireStored, signedInClient } from "./support/clients.js";

const LEASE_MS = 1_000;
const WAITERS = 2;
const ROUNDS = 2;

const backends = lockingBackends();
let worker: string;
let server: FakePlatform;

beforeAll(async () => {
  [worker, server] = await Promise.all([bundleFixture("refresh-worker"), startFakePlatform()]);
});
afterAll(async () => {
  await server.close();
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

function spawnWorker(backend: Backend, mode: "hold" | "refresh"): ChildProcess {
  return startChild(worker, [JSON.stringify(backend.spec), server.url, mode, String(LEASE_MS)]);
}

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s store", (_name, backend) => {
  it(`a refresh-lock holder SIGKILLed mid-refresh: the lease frees it, one other process refreshes once (${ROUNDS} rounds)`, async () => {
    const manager = createSessionManager(backend.open());
    await signedInClient(server, manager);
    // Every process of a round boots ahead, together: start-up is the slow part.
    const rounds = Array.from({ length: ROUNDS }, () => ({
      holder: spawnWorker(backend, "hold"),
      waiters: Array.from({ length: WAITERS }, () => spawnWorker(backend, "refresh")),
    }));
    try {
      for (const { holder, waiters } of rounds) {
        // Expired by its recorded expiry (so every process wants to refresh) and at the server.
        await expireStored(manager);
        server.expireAccessTokens();
        const before = await manager.get("password");
        // Counters of this round only: the server is shared by every store's test.
        const { tokenCalls: tokenCallsBefore, reuseDetected: reuseBefore, invalidGrant: invalidBefore } = server.stats;

        // Whatever pair a process restored, the stored one is due now: all of them must refresh or adopt.
        await Promise.all([holder, ...waiters].map((child) => message(child, "ready")));
        holder.send("go");
        await message(holder, "holding");
        const done = waiters.map((child) => message<RefreshWorkerDone>(child, "done"));
        for (const child of waiters) child.send("go");
        let finishedEarly = false;
        for (const pending of done)
          void pending.then(
            () => (finishedEarly = true),
            () => undefined,
          );
        // While the holder lives its lock excludes everyone: nothing reaches the token endpoint.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(server.stats.tokenCalls).toBe(tokenCallsBefore);
        expect(finishedEarly).toBe(false);

        killGroup(holder);
        await exited(holder);
        const reports = await Promise.all(done);

        expect(reports.map((report) => report.error)).toEqual(waiters.map(() => undefined));
        expect(server.stats.tokenCalls - tokenCallsBefore).toBe(1);
        expect(server.stats.reuseDetected - reuseBefore).toBe(0);
        expect(server.stats.invalidGrant - invalidBefore).toBe(0);
        // One refresh; every other waiter adopted it. With a store that has watch, a waiter booted ahead may
        // also adopt the previous round's pair when that change reaches it late (SQLite polls every 200 ms).
        const events = reports.flatMap((report) => report.events);
        expect(events.filter((event) => event === "refreshed")).toEqual(["refreshed"]);
        expect(events.filter((event) => event !== "refreshed" && event !== "adopted")).toEqual([]);
        for (const report of reports) expect(report.events.length).toBeGreaterThan(0);
        const after = await manager.get("password");
        expect(after?.refreshToken).not.toBe(before?.refreshToken);
        expect(after?.accessToken).not.toBe(before?.accessToken);
      }
    } finally {
      for (const { holder, waiters } of rounds) for (const child of [holder, ...waiters]) killGroup(child);
      await manager.close();
    }
  }, 30_000);
});
