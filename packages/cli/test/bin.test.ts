import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager, type SessionStore } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_DIST, runCliProcess } from "./support/cli-process.js";

// The published bin exactly as installed: `node dist/cli.js`, resolving the
// store packages through their built `exports`. Needs `pnpm build` first (the
// root `pnpm test` and CI build before testing).
const bin = (args: readonly string[]) => runCliProcess(args, { built: true });

describe("the built sessionstore bin", () => {
  const namespace = `cli-bin-${randomUUID().slice(0, 8)}`;
  const accessToken = `AT-bin-${randomUUID()}`;
  const refreshToken = `RT-bin-${randomUUID()}`;
  let dir: string;
  const stores: Record<string, { uri: string; open: () => SessionStore }> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-bin-"));
    stores.sqlite = { uri: `sqlite:${join(dir, "s.db")}`, open: () => createSqliteStore({ path: join(dir, "s.db") }) };
    stores.file = { uri: `file:${join(dir, "s.json")}`, open: () => createFileStore({ path: join(dir, "s.json") }) };
    stores.redis = { uri: "redis://127.0.0.1:6379", open: () => createRedisStore({ url: "redis://127.0.0.1:6379" }) };
    for (const { open } of Object.values(stores)) {
      const manager = createSessionManager(open(), { namespace });
      await manager.forSubject("alice").write("password", { accessToken, refreshToken, expiresIn: 3600 });
      await manager.close();
    }
  });

  afterAll(async () => {
    const redis = createSessionManager(createRedisStore({ url: "redis://127.0.0.1:6379" }), { namespace });
    await redis.clear();
    await redis.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is an executable ESM file with a node shebang", () => {
    expect(readFileSync(CLI_DIST, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(CLI_DIST).mode & 0o111).not.toBe(0);
  });

  it("--version prints the version from the package manifest", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(await bin(["--version"])).toMatchObject({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
  });

  it.each(["sqlite", "file", "redis"])("%s: list --json parses and holds no token value", async (kind) => {
    const { code, stdout, stderr } = await bin([
      "list",
      "--json",
      "--store",
      stores[kind]!.uri,
      "--namespace",
      namespace,
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).not.toContain(accessToken);
    expect(stdout).not.toContain(refreshToken);
    expect(JSON.parse(stdout).sessions).toEqual([
      expect.objectContaining({ key: `${namespace}:alice:password`, refreshable: true, expired: false }),
    ]);
  });

  it("exit codes: 3 for a missing session, 1 for a bad URI, 2 for a closed port", async () => {
    const missing = await bin(["show", "--store", stores.sqlite!.uri, "--namespace", namespace, "--subject", "bob"]);
    expect(missing.code).toBe(3);
    const badUri = await bin(["list", "--store", "sqlite"]);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr).toContain("bad --store URI");
    const closed = await bin(["list", "--store", "redis://127.0.0.1:1", "--timeout", "1000"]);
    expect(closed).toMatchObject({ code: 2, signal: null });
  });
});
