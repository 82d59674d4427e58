import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What a user gets after `pnpm add @sessionstore/sqlite` when pnpm skipped
// sqlite3's build script: the real packages, laid out as installed, with
// sqlite3's compiled binding absent. The built dist is loaded in a child
// process; nothing of ours is replaced.
const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const DIST = join(PACKAGE, "dist/index.js");
/** The real directory `name` resolves to from `from`, looked up the way Node does (up the node_modules chain). */
function packageDir(name: string, from: string = PACKAGE): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`);
  }
}

function runNode(cwd: string, source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], { cwd, timeout: 30_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("@sessionstore/sqlite without sqlite3's native binding", () => {
  let root: string;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run "pnpm build" first`);
    root = await mkdtemp(join(tmpdir(), "sessionstore-sqlite-nobinding-"));
    const modules = join(root, "node_modules");
    const keyvSqlite = packageDir("@keyv/sqlite");
    const sqlite3 = packageDir("sqlite3", keyvSqlite);
    mkdirSync(join(modules, "@sessionstore/sqlite"), { recursive: true });
    cpSync(join(PACKAGE, "package.json"), join(modules, "@sessionstore/sqlite/package.json"));
    cpSync(join(PACKAGE, "dist"), join(modules, "@sessionstore/sqlite/dist"), { recursive: true });
    cpSync(keyvSqlite, join(modules, "@keyv/sqlite"), { recursive: true });
    // sqlite3 as pnpm leaves it when the build script did not run: no build/ directory.
    cpSync(sqlite3, join(modules, "sqlite3"), {
      recursive: true,
      filter: (source) => !source.startsWith(join(sqlite3, "build")),
    });
    symlinkSync(packageDir("bindings", sqlite3), join(modules, "bindings"));
    expect(packageDir("sqlite3")).toBe(sqlite3);
    symlinkSync(packageDir("keyv"), join(modules, "keyv"));
    symlinkSync(packageDir("@sessionstore/core"), join(modules, "@sessionstore/core"));
  });

  afterAll(async () => {
    if (root && !process.env.KEEP) await rm(root, { recursive: true, force: true });
  });

  it("imports fine; creating a store and its first call reject ERR_STORE_UNAVAILABLE saying what to run", async () => {
    const dbPath = join(root, "data", "app.db");
    const result = await runNode(
      root,
      `import { createSqliteStore } from "@sessionstore/sqlite";
       const store = createSqliteStore({ path: ${JSON.stringify(dbPath)} });
       try { await store.get("k"); console.log("loaded"); }
       catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }
       await store.close();
       console.error("closed");`,
    );
    expect(result.stderr).toBe("closed\n");
    expect(result.code).toBe(0);
    const error = JSON.parse(result.stdout) as { name: string; code: string; message: string };
    expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
    expect(error.message).toContain("the SQLite driver cannot be loaded");
    expect(error.message).toContain("pnpm approve-builds");
    expect(error.message).toContain("npm rebuild sqlite3");
    expect(error.message).toContain("packages/sqlite/README.md#install");
    // Nothing is created for a store that cannot open.
    expect(existsSync(dbPath)).toBe(false);
    expect(readdirSync(root)).toEqual(["node_modules"]);
  });
});
