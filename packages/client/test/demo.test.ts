import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sessionstore-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The README demo, from source (CI also runs `pnpm demo` on the build).
async function runDemo(): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(repoRoot, "node_modules/.bin/tsx"),
    ["--conditions=@sessionstore/source", "examples/demo/demo.mjs"],
    { cwd: repoRoot, env: { ...process.env, SESSIONSTORE_DEMO_DIR: dir, PLATFORM_URL: "" }, timeout: 60_000 },
  );
  return stdout;
}

describe("examples/demo", () => {
  it("run 1 signs in; run 2 restores with zero token calls; an expired token is refreshed once", async () => {
    const first = await runDemo();
    expect(first).toMatch(/signed in with username and password/);
    expect(first).toMatch(/token calls: {3}1 for this start/);
    const second = await runDemo();
    expect(second).toMatch(/restored from the store/);
    expect(second).toMatch(/token calls: {3}0 for this start/);
    expect(second).toMatch(/5 concurrent calls succeeded after 1 refresh/);
    // Printed plainly, never a token value.
    expect(first + second).not.toMatch(/fp1\.|rt_/);
    expect(statSync(join(dir, "demo.db")).mode & 0o777).toBe(0o600);
  }, 60_000);
});
