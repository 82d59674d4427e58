// Every removal (set({}), delete, clear) takes the session lock a refresh holds.
// These cases pin the edges of that rule in one process, on the memory store
// (which has a real leased lock): a holder passes its lock, clear() keeps going
// past a key it cannot lock, and podio-js's fire-and-forget ordering holds.
import { describe, expect, it } from "vitest";
import { createMemoryStore, createSessionManager, type SessionStoreError } from "../src/index.js";

const PAIR = { accessToken: "AT-1", refreshToken: "RT-1", expiresAt: 4_102_444_800_000 };
const NEXT = { accessToken: "AT-2", refreshToken: "RT-2", expiresAt: 4_102_444_800_000 };
const SHORT = { ttlMs: 5_000, waitMs: 100 };

function signedIn() {
  const store = createMemoryStore();
  expect(store.capabilities.lock).toBe(true);
  return { store, manager: createSessionManager(store, { removalLock: SHORT }) };
}

describe("delete({ heldLock })", () => {
  it("a live lock of this session passes: the holder deletes without waiting for itself", async () => {
    const { manager } = signedIn();
    await manager.set(PAIR, "password");
    const release = await manager.lock("password", { ttlMs: 5_000, waitMs: 1_000 });
    try {
      await expect(manager.delete("password", { heldLock: release })).resolves.toBe(true);
      expect(await manager.get("password")).toBeUndefined();
    } finally {
      await release();
    }
  });

  it("a released lock is ERR_INVALID_ARGUMENT and nothing is deleted", async () => {
    const { manager } = signedIn();
    await manager.set(PAIR, "password");
    const release = await manager.lock("password", { ttlMs: 5_000, waitMs: 1_000 });
    await release();
    await expect(manager.delete("password", { heldLock: release })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.heldLock",
    });
    expect(await manager.get("password")).toEqual(PAIR);
  });

  it("another session's lock, or another manager's, is ERR_INVALID_ARGUMENT and nothing is deleted", async () => {
    const { store, manager } = signedIn();
    await manager.set(PAIR, "password");
    await manager.set(NEXT, "client");
    const other = await manager.lock("client", { ttlMs: 5_000, waitMs: 1_000 });
    const foreign = await createSessionManager(store).forSubject("someone-else").lock("password", SHORT);
    try {
      for (const heldLock of [other, foreign, async () => undefined]) {
        await expect(manager.delete("password", { heldLock })).rejects.toMatchObject({
          code: "ERR_INVALID_ARGUMENT",
          field: "options.heldLock",
        });
      }
      expect(await manager.get("password")).toEqual(PAIR);
    } finally {
      await other();
      await foreign();
    }
  });
});

describe("clear() when one session's lock cannot be had", () => {
  it("removes the others and says how many were left", async () => {
    const { store, manager } = signedIn();
    const bob = manager.forSubject("bob");
    await manager.set(PAIR, "password");
    await manager.set(NEXT, "client");
    await bob.set(PAIR, "password");
    // Another holder (a refresh elsewhere) keeps bob's lock past clear()'s wait.
    const holder = await createSessionManager(store).forSubject("bob").lock("password", { ttlMs: 10_000, waitMs: 0 });
    try {
      const failure = (await manager.clear({ lock: SHORT }).catch((error: unknown) => error)) as SessionStoreError;
      expect(failure.code).toBe("ERR_LOCK_TIMEOUT");
      expect(failure.message).toMatch(/removed 2 session\(s\) but could not remove 1/);
      expect(await manager.get("password")).toBeUndefined();
      expect(await manager.get("client")).toBeUndefined();
      expect(await bob.get("password")).toEqual(PAIR);
    } finally {
      await holder();
    }
  });
});

describe("podio-js ordering on a store with a lock", () => {
  it("set({}) then set(pair) without waiting ends with the pair", async () => {
    const { manager } = signedIn();
    await manager.set(PAIR, "password");
    const removing = manager.set({}, "password");
    const saving = manager.set(NEXT, "password");
    await Promise.all([removing, saving]);
    expect(await manager.get("password")).toEqual(NEXT);
  });

  it("set(pair) then set({}) without waiting ends empty", async () => {
    const { manager } = signedIn();
    const saving = manager.set(NEXT, "password");
    const removing = manager.set({}, "password");
    await Promise.all([saving, removing]);
    expect(await manager.get("password")).toBeUndefined();
  });
});

describe("reads while a removal waits for the session lock", () => {
  it("the lock holder's read answers at once with the session (a refresh re-reads under its lock)", async () => {
    const store = createMemoryStore();
    // A long removal wait: were the holder's read to wait for the queued removal, neither would move.
    const manager = createSessionManager(store, { removalLock: { ttlMs: 5_000, waitMs: 60_000 } });
    await manager.set(PAIR, "password");
    const release = await manager.lock("password", { ttlMs: 30_000, waitMs: 1_000 });
    const removal = manager.delete("password");
    const read = await manager.read("password");
    expect(read?.auth).toMatchObject({ accessToken: PAIR.accessToken });
    await release();
    await expect(removal).resolves.toBe(true);
    expect(await manager.get("password")).toBeUndefined();
  });

  it("anyone else's read issued after the removal answers with its outcome once the holder lets go", async () => {
    const store = createMemoryStore();
    const holder = createSessionManager(store, { removalLock: SHORT });
    const other = createSessionManager(store, { removalLock: { ttlMs: 5_000, waitMs: 10_000 } });
    await holder.set(PAIR, "password");
    const release = await holder.lock("password", { ttlMs: 30_000, waitMs: 1_000 });
    const removal = other.delete("password");
    const read = other.get("password");
    let answered = false;
    void read.then(() => {
      answered = true;
    });
    // The removal cannot have run: the other manager's read is still waiting for it.
    expect(await holder.get("password")).toEqual(PAIR);
    expect(answered).toBe(false);
    await release();
    expect(await read).toBeUndefined();
    await expect(removal).resolves.toBe(true);
  });
});
