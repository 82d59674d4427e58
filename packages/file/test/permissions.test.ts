import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { crashSentinel } from "@sessionstore/testkit";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bundleWorker, runWorker } from "./support/child.js";
import { tempDir } from "./support/temp-dir.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("permissions", () => {
  it("creates missing directories 0700 and the file 0600, and keeps 0600 on every rewrite", async () => {
    const root = await tempDir("perm");
    const path = join(root, "a", "b", "sessions.json");
    const store = createFileStore({ path });
    await store.set("k", { v: 1 });
    expect(mode(join(root, "a"))).toBe(0o700);
    expect(mode(join(root, "a", "b"))).toBe(0o700);
    expect(mode(path)).toBe(0o600);
    await store.set("k", { v: 2 });
    await store.delete("k");
    expect(mode(path)).toBe(0o600);
    await store.close();
  });

  it("replaces a too-open existing file with a 0600 one; leaves a directory it did not create alone", async () => {
    const root = await tempDir("perm-existing");
    chmodSync(root, 0o755);
    const path = join(root, "sessions.json");
    writeFileSync(path, JSON.stringify({ sessionstore: 1, records: {} }), { mode: 0o644 });
    chmodSync(path, 0o644);
    const store = createFileStore({ path });
    await store.set("k", { v: 1 });
    expect(mode(path)).toBe(0o600);
    expect(mode(root)).toBe(0o755);
    await store.close();
  });
});

describe("an unusable location", () => {
  const sentinel = crashSentinel();
  beforeEach(() => sentinel.install());
  afterEach(async () => {
    expect(await sentinel.uninstall()).toEqual([]);
  });

  it("a path under a regular file: every call rejects ERR_STORE_UNAVAILABLE with the cause", async () => {
    const root = await tempDir("notdir");
    writeFileSync(join(root, "plain-file"), "x");
    const store = createFileStore({ path: join(root, "plain-file", "sessions.json") });
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => store.get("k")],
      ["set", () => store.set("k", { v: 1 })],
      ["delete", () => store.delete("k")],
      ["list", () => store.list("")],
      ["lock", () => store.lock("k", { ttlMs: 1_000, waitMs: 0 })],
    ];
    for (const [name, run] of calls) {
      const error = await run().then(
        () => new Error(`${name} resolved`),
        (reason: unknown) => reason as Error,
      );
      expect(error, name).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
      expect(error.cause, name).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
      expect(error.message, name).toContain("plain-file");
    }
    await store.close();
  });

  describe("a directory we may not write", () => {
    let worker: string;
    beforeAll(async () => {
      worker = await bundleWorker();
    });

    // Root ignores directory modes, so as root the writer runs as `nobody`.
    const asUnprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

    for (const [label, relative] of [
      ["the file's directory is read-only", ["sessions.json"]],
      ["a directory to create is under a read-only one", ["missing", "sessions.json"]],
    ] as const) {
      it(`${label}: the write rejects ERR_STORE_UNAVAILABLE (EACCES), the process does not crash`, async () => {
        const root = await tempDir("readonly");
        chmodSync(root, 0o755);
        const readOnly = join(root, "ro");
        mkdirSync(readOnly, { mode: 0o555 });
        chmodSync(readOnly, 0o555);
        const output = await runWorker(worker, ["try-write", join(readOnly, ...relative)], asUnprivileged);
        expect(JSON.parse(output)).toEqual({ code: "ERR_STORE_UNAVAILABLE", causeCode: "EACCES" });
      });
    }
  });
});
