import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, type SessionStore } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withCallTimeout } from "../src/internal/call-timeout.js";

// The CLI wraps every store it opens; a member the wrapper drops is a member the
// commands (and the client they drive) silently lose.
describe("withCallTimeout keeps every member the store has", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-timeout-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("forwards kind, capabilities, lock, list and a watch that reports another store's writes", async () => {
    const path = join(dir, "sessions.json");
    const inner = createFileStore({ path, watchPollMs: 20 });
    const other = createFileStore({ path });
    const store = withCallTimeout(inner, 5_000);
    try {
      expect(store.kind).toBe(inner.kind);
      expect(store.kind).toBe("file");
      expect(store.capabilities).toEqual(inner.capabilities);
      expect(typeof store.lock).toBe("function");
      expect(typeof store.list).toBe("function");
      expect(typeof store.watch).toBe("function");

      const seen = new Promise<string>((resolve) => {
        const stop = store.watch?.((change) => {
          stop?.();
          resolve(change.key);
        });
      });
      await other.set("app:watched", { token: "t" });
      await expect(seen).resolves.toBe("app:watched");

      expect(await store.list?.("app:")).toEqual(["app:watched"]);
      const release = await store.lock?.("app:watched", { ttlMs: 5_000, waitMs: 1_000 });
      await release?.();
    } finally {
      await other.close();
      await store.close();
    }
  });

  it("adds none of the optional members a store lacks", () => {
    const memory = createMemoryStore();
    const bare: SessionStore = {
      capabilities: { lock: false, list: false, nativeExpiry: false, watch: false },
      get: (key) => memory.get(key),
      set: (key, record) => memory.set(key, record),
      delete: (key) => memory.delete(key),
      close: () => memory.close(),
    };
    const store = withCallTimeout(bare, 1_000);
    expect(store.kind).toBeUndefined();
    expect("lock" in store).toBe(false);
    expect("list" in store).toBe(false);
    expect("watch" in store).toBe(false);
  });
});
