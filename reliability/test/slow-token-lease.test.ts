// The token endpoint answers slower than the refresh lock's lease (file,
// SQLite, Redis). The process that took the lock keeps renewing its lease
// while its token call and its write run, so the other one waits for it and
// adopts its pair: one token call, no reuse of the rotated refresh token, no
// invalid_grant, no session lost. Before the lease was renewed, the second
// process took the lock after one lease and spent the same refresh token.
import { createSessionManager } from "@sessionstore/core";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RefreshWorkerDone } from "./fixtures/refresh-worker.js";
import { lockingBackends } from "./support/backends.js";
import { bundleFixture, killGroup, message, startChild } from "./support/children.js";
import { expireStored, signedInClient } from "./support/clients.js";

// Renewed every third of it: a holder would have to stall for two thirds of a lease (~670 ms) to lose it.
const LEASE_MS = 1_000;
// Each answer (token and API) takes three leases: a lease that is not renewed runs out mid-call.
const LATENCY_MS = LEASE_MS * 3;
const TOKEN_TIMEOUT_MS = 20_000;
const PROCESSES = 2;

const backends = lockingBackends();
let worker: string;
const servers: FakePlatform[] = [];

beforeAll(async () => {
  worker = await bundleFixture("refresh-worker");
});
afterAll(async () => {
  await Promise.allSettled(servers.map((server) => server.close()));
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s store", (_name, backend) => {
  it("a token endpoint slower than the lease: the lock holder renews it, the other process adopts its pair", async () => {
    // A server of its own: its counters are this store's alone.
    const server = await startFakePlatform();
    servers.push(server);
    const manager = createSessionManager(backend.open());
    await signedInClient(server, manager);
    const children = Array.from({ length: PROCESSES }, () =>
      startChild(worker, [
        JSON.stringify(backend.spec),
        server.url,
        "refresh",
        String(LEASE_MS),
        String(TOKEN_TIMEOUT_MS),
      ]),
    );
    try {
      await expireStored(manager);
      server.expireAccessTokens();
      const before = await manager.get("password");
      await Promise.all(children.map((child) => message(child, "ready")));
      server.setLatency(LATENCY_MS);
      const done = children.map((child) => message<RefreshWorkerDone>(child, "done"));
      for (const child of children) child.send("go");
      const reports = await Promise.all(done);

      expect(reports.map((report) => report.error)).toEqual(children.map(() => undefined));
      expect(server.stats.refreshCalls).toBe(1);
      expect(server.stats.reuseDetected).toBe(0);
      expect(server.stats.invalidGrant).toBe(0);
      const events = reports.flatMap((report) => report.events);
      expect(events.filter((event) => event === "refreshed")).toEqual(["refreshed"]);
      expect(events.filter((event) => event === "adopted")).toHaveLength(PROCESSES - 1);
      const after = await manager.get("password");
      expect(after?.refreshToken).not.toBe(before?.refreshToken);
    } finally {
      for (const child of children) killGroup(child);
      await manager.close();
    }
  }, 60_000);
});
