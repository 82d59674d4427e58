// What a newcomer tries first with the packed CLI: --version, list without
// --namespace, list of a corrupt file, a Redis password that is wrong.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createSqliteStore } from "@sessionstore/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServerProcess, startRedisServer } from "../../redis/test/support/redis-server.js";
import manifest from "../package.json" with { type: "json" };
import { run } from "./support/harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-newcomer-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("sessionstore --version", () => {
  it.each([["--version"], ["-v"]])("%s prints the package version and exits 0", async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
  });

  it("--version after a command is a usage error naming it", async () => {
    const result = await run(["list", "--version", "--store", "sqlite:./x.db"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--version does not apply to list");
  });
});

describe("list without --namespace", () => {
  it("lists every namespace that holds sessions (text and JSON); --namespace still narrows", async () => {
    const path = join(dir, "s.db");
    const store = createSqliteStore({ path });
    await createSessionManager(store, { namespace: "app" }).forSubject("alice").write("password", { accessToken: "a" });
    await createSessionManager(store, { namespace: "billing" }).forSubject("bob").write("app", { accessToken: "b" });
    await store.close();

    const text = await run(["list", "--store", `sqlite:${path}`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1 session in namespace "app"');
    expect(text.stdout).toContain('1 session in namespace "billing"');
    expect(text.stdout).toMatch(/alice[\s\S]*bob/);

    const json = await run(["list", "--json", "--store", `sqlite:${path}`]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { namespaces: string[]; sessions: Array<{ namespace: string }> };
    expect(parsed.namespaces).toEqual(["app", "billing"]);
    expect(parsed.sessions.map((session) => session.namespace)).toEqual(["app", "billing"]);

    const narrowed = await run(["list", "--store", `sqlite:${path}`, "--namespace", "billing"]);
    expect(narrowed.stdout).toContain('1 session in namespace "billing"');
    expect(narrowed.stdout).not.toContain("alice");
  });

  it("an empty store still says which namespace it looked in", async () => {
    const path = join(dir, "empty.db");
    const store = createSqliteStore({ path });
    await store.set("scratch", { v: 1 });
    await store.delete("scratch");
    await store.close();
    const result = await run(["list", "--store", `sqlite:${path}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No sessions in namespace "sessionstore"');
  });
});

describe("list and show of a corrupt session file", () => {
  it("report it and leave the file exactly as it was: nothing moved, locked or created", async () => {
    const fileDir = await mkdtemp(join(dir, "corrupt-"));
    const path = join(fileDir, "sessions.json");
    const garbage = '{"sessionstore": 1, "records": {"trunc';
    await writeFile(path, garbage, { mode: 0o600 });
    for (const command of [["list"], ["show", "--auth-type", "password"]]) {
      const result = await run([...command, "--store", `file:${path}`]);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain("left where it is");
    }
    expect(await readdir(fileDir)).toEqual(["sessions.json"]);
    expect(await readFile(path, "utf8")).toBe(garbage);
  });

  it("a store opened readOnly refuses writes with ERR_UNSUPPORTED and creates nothing", async () => {
    const fileDir = await mkdtemp(join(dir, "read-only-"));
    const path = join(fileDir, "sessions.json");
    const writer = createFileStore({ path });
    await writer.set("sessionstore:alice:password", { v: 1 });
    await writer.close();
    const before = await readFile(path, "utf8");
    const store = createFileStore({ path, readOnly: true });
    expect(await store.list("")).toEqual(["sessionstore:alice:password"]);
    await expect(store.set("sessionstore:bob:password", { v: 1 })).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
    await expect(store.delete("sessionstore:alice:password")).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
    await expect(store.lock("x", { ttlMs: 1000, waitMs: 0 })).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
    await store.close();
    expect(await readdir(fileDir)).toEqual(["sessions.json"]);
    expect(await readFile(path, "utf8")).toBe(before);
  });
});

describe("a Redis that refuses the password", () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer({ extraArgs: ["--requirepass", "right-password"] });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("says authentication failed (not 'not reachable'), at once, and never prints the password", async () => {
    const started = Date.now();
    const result = await run([
      "list",
      "--store",
      `redis://:wrong-password@127.0.0.1:${server.port}`,
      "--timeout",
      "20000",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("authentication failed");
    expect(result.stderr).not.toContain("not reachable");
    expect(result.stderr).not.toContain("wrong-password");
    // Retrying cannot fix a password: the answer does not wait for the 20 s bound.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("the right password works", async () => {
    const result = await run(["list", "--store", `redis://:right-password@127.0.0.1:${server.port}`]);
    expect(result.code, result.stderr).toBe(0);
  });
});
