import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createSessionManager } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const script = fileURLToPath(new URL("../script.mjs", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-node-script-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the script as its own process, as cron would, in `cwd` (where .sessionstore/ lives). */
async function runScript(cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { PLATFORM_URL: _inherited, ...parentEnv } = process.env;
  // The source condition lets the child load the workspace packages without a build.
  const { stdout } = await run(tsx, ["--conditions=@sessionstore/source", script], {
    cwd,
    env: { ...parentEnv, ...env },
    timeout: 20_000,
  });
  return stdout;
}

async function storedAccessToken(cwd: string): Promise<string | undefined> {
  const store = createSqliteStore({ path: join(cwd, ".sessionstore/sessions.db") });
  try {
    return (await createSessionManager(store).get("password"))?.accessToken;
  } finally {
    await store.close();
  }
}

describe("examples/node-script", () => {
  it("signs in on the first run; the second run restores the session from SQLite and makes 0 token calls", async () => {
    const platform: FakePlatform = await startFakePlatform();
    cleanups.push(() => platform.close());
    const cwd = freshDir();

    const first = await runScript(cwd, { PLATFORM_URL: platform.url });
    expect(first).toContain("signed in, saved to the store");
    expect(first).toContain("user: demo");
    expect(platform.stats.tokenCalls).toBe(1);
    expect(platform.stats.byGrant).toEqual({ password: 1 });

    const second = await runScript(cwd, { PLATFORM_URL: platform.url });
    expect(second).toContain("restored from the store, no sign-in");
    expect(second).toContain("user: demo");
    expect(platform.stats.tokenCalls).toBe(1); // run 2: no token call at all
    expect(platform.stats.apiCalls).toBe(2);
    expect(platform.stats.apiUnauthorized).toBe(0);

    // What it prints is safe to keep in a cron log.
    const token = await storedAccessToken(cwd);
    expect(token).toEqual(expect.any(String));
    expect(first + second).not.toContain(token);
  });

  it("runs on its own with the embedded platform (no PLATFORM_URL): 1 token call, then 0", async () => {
    const cwd = freshDir();
    expect(await runScript(cwd)).toMatch(/signed in[\s\S]*token calls: 1\n/);
    expect(await runScript(cwd)).toMatch(/restored from the store[\s\S]*token calls: 0\n/);
  });

  it("signs in again when the cached session is gone", async () => {
    const platform = await startFakePlatform();
    cleanups.push(() => platform.close());
    const cwd = freshDir();
    await runScript(cwd, { PLATFORM_URL: platform.url });
    rmSync(join(cwd, ".sessionstore"), { recursive: true });
    expect(await runScript(cwd, { PLATFORM_URL: platform.url })).toContain("signed in, saved to the store");
    expect(platform.stats.tokenCalls).toBe(2);
  });
});
