// Refresh answered 5xx, never answered, reset, or answered-then-dropped after
// the server rotated, over the stores that lock across processes. What
// packages/client/test/faults.test.ts proves on the memory store (tokens kept,
// transient error surfaced, next call retries; no mismatched pair after a lost
// rotation) is checked here on real backends, plus what only they can break:
// the failed refresh gives the store's lock back at once, so another process
// (a second store instance, lockWaitMs 0) refreshes without waiting out the lease.
import { createSessionManager } from "@sessionstore/core";
import { type FakePlatform, type Fault, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockingBackends, uniqueName } from "./support/backends.js";
import { clientOn, expireStored, signedInClient } from "./support/clients.js";

const backends = lockingBackends();
let server: FakePlatform;

beforeAll(async () => {
  server = await startFakePlatform();
});
afterAll(async () => {
  await server.close();
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

const faults: { fault: Fault; code: string }[] = [
  { fault: { kind: "status", status: 503, grant: "refresh_token" }, code: "ERR_SERVER" },
  { fault: { kind: "hang", grant: "refresh_token" }, code: "ERR_TIMEOUT" },
  { fault: { kind: "reset", grant: "refresh_token" }, code: "ERR_NETWORK" },
  { fault: { kind: "drop-after-rotation", grant: "refresh_token" }, code: "ERR_NETWORK" },
];

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s store", (_name, backend) => {
  it.each(faults.map((entry) => [entry.fault.kind, entry] as const))(
    "refresh %s: error surfaced, stored pair kept whole, store lock released at once",
    async (_kind, { fault, code }) => {
      const namespace = uniqueName("rf");
      const manager = createSessionManager(backend.open(), { namespace });
      const client = await signedInClient(server, manager, { tokenTimeoutMs: 2_000, lockTtlMs: 30_000 });
      await expireStored(manager);
      server.expireAccessTokens();
      const before = await manager.get("password");
      server.injectFault(fault);

      await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code, transient: true });
      expect(await manager.get("password")).toEqual(before);

      // Another process, its own connection, no patience: the lock must already be free.
      const other = clientOn(server, createSessionManager(backend.open(), { namespace }), { lockWaitMs: 0 });
      if (fault.kind === "drop-after-rotation") {
        // The server rotated and the answer was lost: the stored refresh token is spent.
        // Presenting it is reuse; the session ends cleanly (never a mismatched pair).
        await expect(other.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
        expect(await manager.get("password")).toBeUndefined();
      } else {
        await expect(other.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
        // The first client's next call adopts that pair: no second refresh.
        const calls = server.stats.tokenCalls;
        await expect(client.request("GET", "/items/3")).resolves.toMatchObject({ item_id: "3" });
        expect(server.stats.tokenCalls).toBe(calls);
        expect((await manager.get("password"))?.refreshToken).not.toBe(before?.refreshToken);
      }
      await manager.close();
    },
  );
});
