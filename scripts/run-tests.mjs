#!/usr/bin/env node
// `pnpm test`: runs `vitest run` (extra arguments are passed on) with the
// system temp directory pointed at a private one for the whole run, then fails
// the run if any test left a file or directory of ours there: tests clean up
// after themselves, also when they fail. Tests running in parallel share the
// private directory, so the check compares the whole run's before (empty)
// and after; other programs on the machine cannot disturb it.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Names the project's tests and helpers give what they create in the temp directory. */
export const PROJECT_TEMP_PREFIXES = ["sessionstore-", "conformance-", "fake-platform-"];

const privateTemp = mkdtempSync(join(tmpdir(), "sessionstore-test-run-"));
// Like /tmp itself (sticky, world-writable): tests run servers and checks as other
// users (postgres, mysql, nobody) under it; mkdtemp's 0700 would lock them out.
chmodSync(privateTemp, 0o1777);
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TMPDIR: privateTemp, TMP: privateTemp, TEMP: privateTemp },
});

// Ctrl-C reaches vitest through the terminal's process group; a signal sent to us alone is passed on.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}

child.on("exit", (code, signal) => {
  const left = readdirSync(privateTemp);
  const ours = left.filter((name) => PROJECT_TEMP_PREFIXES.some((prefix) => name.startsWith(prefix)));
  const others = left.filter((name) => !ours.includes(name));
  rmSync(privateTemp, { recursive: true, force: true });
  if (others.length > 0) {
    console.warn(`\ntemp check: other programs left ${others.length} entries (removed): ${others.join(", ")}`);
  }
  if (ours.length > 0) {
    console.error(
      `\ntemp check FAILED: the run left ${ours.length} entries in the temp directory (removed now); ` +
        `the test or helper that made each must remove it, also on failure:\n  ${ours.join("\n  ")}`,
    );
    process.exit(code === 0 ? 1 : (code ?? 1));
  }
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
});
