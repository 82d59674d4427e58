import {
  createMemoryStore,
  createSessionManager,
  type JsonObject,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  type SetOptions,
} from "@sessionstore/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keepLease } from "../src/internal/lease-keeper.js";
import { makeClient, platform } from "./support/harness.js";

/** A release whose `extend` answers as told and counts its calls. */
function renewable(answers: { next: () => Promise<boolean> | boolean }) {
  const extend = vi.fn(async (_ttlMs: number) => answers.next());
  const release: ReleaseLock = Object.assign(() => Promise.resolve(), { extend });
  return { release, extend };
}

describe("keepLease", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("renews every third of the lease with the full lease, and stops when told", async () => {
    vi.useFakeTimers();
    const { release, extend } = renewable({ next: () => true });
    const lease = keepLease(release, 900);
    await vi.advanceTimersByTimeAsync(299);
    expect(extend).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(extend.mock.calls).toEqual([[900]]);
    await vi.advanceTimersByTimeAsync(600);
    expect(extend).toHaveBeenCalledTimes(3);
    lease.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(extend).toHaveBeenCalledTimes(3);
  });

  it("pauses while a hook runs; resume renews at once when a renewal is due and says whether the lock is ours", async () => {
    vi.useFakeTimers();
    let renewed = true;
    const answers = { next: () => renewed };
    const { release, extend } = renewable(answers);
    const lease = keepLease(release, 900);
    lease.pause();
    // Renewed (taken) moments ago: still ours, no call needed.
    expect(await lease.resume()).toBe(true);
    expect(extend).not.toHaveBeenCalled();
    lease.pause();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(extend).not.toHaveBeenCalled();
    renewed = false;
    expect(await lease.resume()).toBe(false);
    expect(extend).toHaveBeenCalledTimes(1);
    lease.stop();
  });

  it("a renewal that fails (backend down) is not a lost lock; one in flight is not sent twice", async () => {
    vi.useFakeTimers();
    let settle: (renewed: boolean) => void = () => undefined;
    const first = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const answers: { next: () => Promise<boolean> } = { next: () => first };
    const { release, extend } = renewable(answers);
    const lease = keepLease(release, 300);
    await vi.advanceTimersByTimeAsync(350);
    expect(extend).toHaveBeenCalledTimes(1);
    // The first renewal has not answered: the next tick does not send another.
    await vi.advanceTimersByTimeAsync(100);
    expect(extend).toHaveBeenCalledTimes(1);
    settle(true);
    answers.next = () => Promise.reject(new Error("ECONNREFUSED"));
    lease.pause();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await lease.resume()).toBe(true);
    expect(extend).toHaveBeenCalledTimes(2);
    lease.stop();
  });

  it("an extend that throws instead of rejecting is a failed renewal, not an uncaught exception", async () => {
    vi.useFakeTimers();
    const extend = vi.fn((_ttlMs: number): Promise<boolean> => {
      throw new Error("not connected");
    });
    const lease = keepLease(
      Object.assign(() => Promise.resolve(), { extend }),
      300,
    );
    await vi.advanceTimersByTimeAsync(150);
    expect(extend).toHaveBeenCalledTimes(1);
    lease.pause();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await lease.resume()).toBe(true);
    expect(extend).toHaveBeenCalledTimes(2);
    lease.stop();
  });

  it("without extend (a store that cannot renew) it does nothing and never says the lock is lost", async () => {
    const lease = keepLease(() => Promise.resolve(), 10);
    lease.pause();
    expect(await lease.resume()).toBe(true);
    lease.stop();
  });
});

describe("the refresh lock's lease", () => {
  it("is kept while a token call slower than the lease is in flight: nobody else takes the lock", async () => {
    // Renewed every 500 ms: this process would have to stall for a second to lose it.
    const leaseMs = 1_500;
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    let calling: () => void = () => undefined;
    const aboutToCall = new Promise<void>((resolve) => {
      calling = resolve;
    });
    const client = makeClient(server, {
      sessionStore: manager,
      lockTtlMs: leaseMs,
      tokenTimeoutMs: 20_000,
      onTokenWillRefresh: () => {
        // Only the token call is slow (three leases).
        server.setLatency(leaseMs * 3);
        calling();
      },
      afterTokenRefreshed: () => server.setLatency(0),
    });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    const request = client.request("GET", "/items/1");
    await aboutToCall;
    // Outlasts the lease the lock was taken with; the token call is still running.
    await expect(manager.lock("password", { ttlMs: 1_000, waitMs: leaseMs * 2 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await request;
    expect(server.stats.refreshCalls).toBe(1);
    const release = await manager.lock("password", { ttlMs: 1_000, waitMs: 0 });
    await release();
  }, 30_000);

  it("lost while onTokenWillRefresh outlasted it and someone took the lock: no token call, ERR_LOCK_TIMEOUT, the next call refreshes", async () => {
    const leaseMs = 200;
    const server = await platform();
    const manager = createSessionManager(createMemoryStore());
    let holdHook = true;
    let taken: ReleaseLock | undefined;
    const client = makeClient(server, {
      sessionStore: manager,
      lockTtlMs: leaseMs,
      onTokenWillRefresh: async () => {
        if (!holdHook) return;
        // Another holder waits out this lease and takes the lock while the hook runs.
        taken = await manager.lock("password", { ttlMs: 30_000, waitMs: 10_000 });
      },
    });
    const failed: string[] = [];
    client.on("refreshFailed", (event) => failed.push(`${event.reason}:${event.error.code}`));
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    server.resetStats();
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({
      name: "SessionStoreError",
      code: "ERR_LOCK_TIMEOUT",
      message: expect.stringContaining("onTokenWillRefresh"),
    });
    expect(server.stats.tokenCalls).toBe(0);
    expect(failed).toEqual(["transient:ERR_LOCK_TIMEOUT"]);
    holdHook = false;
    await taken?.();
    await client.request("GET", "/items/1");
    expect(server.stats.refreshCalls).toBe(1);
  });

  it("is kept while logout's revocation calls are slower than the lease: no refresh elsewhere slips in", async () => {
    const leaseMs = 1_500;
    const server = await platform();
    const inner = createMemoryStore();
    let lockTaken: () => void = () => undefined;
    const logoutHolds = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    // Says when a lock is taken, so the test competes only once logout holds it.
    const store: SessionStore = {
      ...inner,
      async lock(key: string, options: LockOptions) {
        const release = await inner.lock(key, options);
        lockTaken();
        return release;
      },
    };
    const manager = createSessionManager(store);
    const client = makeClient(server, { sessionStore: manager, lockTtlMs: leaseMs, revokeURL: server.revokeURL });
    await client.authenticateWithCredentials("demo", "demo-password");
    // Two revocations (refresh token, then access token), each two leases long.
    server.setLatency(leaseMs * 2);
    const loggedOut = client.logout();
    await logoutHolds;
    await expect(manager.lock("password", { ttlMs: 1_000, waitMs: leaseMs * 2 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await expect(loggedOut).resolves.toMatchObject({ revoked: true });
    expect(await manager.get("password")).toBeUndefined();
  }, 30_000);

  it("is kept while the deferred write of an unsaved pair is slower than the lease", async () => {
    const leaseMs = 1_500;
    const server = await platform();
    const inner = createMemoryStore();
    const faults = { failNextSet: false, slowSetMs: 0 };
    let writing: () => void = () => undefined;
    const slowWriteStarted = new Promise<void>((resolve) => {
      writing = resolve;
    });
    // A store whose next write fails once (the refreshed pair stays unsaved), then whose writes are slow.
    const store: SessionStore = {
      ...inner,
      async set(key: string, record: JsonObject, options?: SetOptions) {
        if (faults.failNextSet) {
          faults.failNextSet = false;
          throw new Error("disk I/O error");
        }
        if (faults.slowSetMs > 0) {
          writing();
          await new Promise((resolve) => setTimeout(resolve, faults.slowSetMs));
        }
        await inner.set(key, record, options);
      },
    };
    const manager = createSessionManager(store);
    const client = makeClient(server, { sessionStore: manager, lockTtlMs: leaseMs });
    await client.authenticateWithCredentials("demo", "demo-password");
    server.expireAccessTokens();
    faults.failNextSet = true;
    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    // The next call writes the unsaved pair first, under the lock; that write takes three leases.
    faults.slowSetMs = leaseMs * 3;
    const request = client.request("GET", "/items/2");
    await slowWriteStarted;
    await expect(manager.lock("password", { ttlMs: 1_000, waitMs: leaseMs * 2 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await request;
    expect(server.stats.refreshCalls).toBe(1);
  }, 30_000);
});
