import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { SessionStoreError } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./support/temp-dir.js";
import { firstLine, startWorker } from "./support/workers.js";

/**
 * A node binary `user` may run: this one, or a copy when its directory is
 * closed to other users (a node installed under /root, as scripts/test-on-node.sh does).
 */
async function nodeFor(user: { uid: number; gid: number }): Promise<string> {
  const probe = spawnSync(process.execPath, ["-e", ""], user);
  if (probe.error === undefined && probe.status === 0) return process.execPath;
  const dir = await tempDir("node");
  await chmod(dir, 0o755);
  const copy = join(dir, "node");
  await copyFile(process.execPath, copy);
  await chmod(copy, 0o755);
  return copy;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("the database file and its directory", () => {
  it("defaults to .sessionstore/sessions.db under the working directory", async () => {
    const existed = existsSync(resolve(".sessionstore"));
    const store = createSqliteStore();
    try {
      expect(store.path).toBe(resolve(".sessionstore/sessions.db"));
    } finally {
      await store.close();
      // The store opened (created) it when it was made: leave the working directory as it was.
      if (!existed) await rm(resolve(".sessionstore"), { recursive: true, force: true });
    }
  });

  it("creates missing directories with mode 0700 and the file (and its WAL files) with mode 0600", async () => {
    const root = await tempDir("modes");
    const path = join(root, "a", "b", "sessions.db");
    const store = createSqliteStore({ path });
    closers.push(() => store.close());
    await store.set("k", { v: 1 });
    expect(await modeOf(join(root, "a"))).toBe(0o700);
    expect(await modeOf(join(root, "a", "b"))).toBe(0o700);
    expect(await modeOf(path)).toBe(0o600);
    // SQLite gives the WAL and shared-memory files the database file's mode.
    expect(await modeOf(`${path}-wal`)).toBe(0o600);
    expect(await modeOf(`${path}-shm`)).toBe(0o600);
  });

  it("leaves the mode of an existing directory and file alone", async () => {
    const root = await tempDir("existing");
    await chmod(root, 0o750);
    const path = join(root, "sessions.db");
    await writeFile(path, "", { mode: 0o640 });
    await chmod(path, 0o640);
    const store = createSqliteStore({ path });
    closers.push(() => store.close());
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });
    expect(await modeOf(root)).toBe(0o750);
    expect(await modeOf(path)).toBe(0o640);
  });

  it("a path whose directory cannot be created rejects every call with ERR_STORE_UNAVAILABLE naming the path", async () => {
    const root = await tempDir("not-a-dir");
    await writeFile(join(root, "file"), "");
    const path = join(root, "file", "sessions.db");
    const store = createSqliteStore({ path });
    closers.push(() => store.close());
    const calls: Array<() => Promise<unknown>> = [
      () => store.get("k"),
      () => store.set("k", { v: 1 }),
      () => store.delete("k"),
      () => store.list(""),
      () => store.lock("k", { ttlMs: 1_000, waitMs: 0 }),
    ];
    for (const run of calls) {
      const error = (await run().then(
        () => undefined,
        (reason: unknown) => reason,
      )) as SessionStoreError;
      expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
      expect(error.message).toContain(path);
      expect(error.cause).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
    }
  });

  it("recovers once the directory can be made: opening is retried on the next call", async () => {
    const root = await tempDir("retry");
    const blocker = join(root, "data");
    await writeFile(blocker, "");
    const store = createSqliteStore({ path: join(blocker, "sessions.db") });
    closers.push(() => store.close());
    await expect(store.get("k")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    await rm(blocker);
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });
  });

  it("an unwritable directory is ERR_STORE_UNAVAILABLE naming the path (checked as an unprivileged user)", async () => {
    const root = await tempDir("readonly");
    await chmod(root, 0o755);
    const locked = join(root, "locked");
    await mkdir(locked, { mode: 0o555 });
    await chmod(locked, 0o555);
    const path = join(locked, "sessions.db");
    // root ignores directory modes: run the store as `nobody` then.
    const nobody = { uid: 65534, gid: 65534 };
    const asUser = process.getuid?.() === 0 ? { ...nobody, node: await nodeFor(nobody) } : {};
    const child = startWorker(["open", path], asUser);
    const outcome = JSON.parse(await firstLine(child)) as { code?: string; message?: string };
    expect(outcome.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(outcome.message).toContain(path);
    expect(outcome.message).toMatch(/EACCES|permission denied/i);
  });
});
