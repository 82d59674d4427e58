import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { RUNTIMES_DIR } from "./bundle.js";

/** A runtime binary installed from npm (platform packages ship the binary itself, no postinstall). */
export interface Runtime {
  readonly name: "bun" | "deno";
  readonly command: string;
  /** Arguments before the script. */
  readonly args: readonly string[];
}

export const BUN: Runtime = {
  name: "bun",
  command: join(RUNTIMES_DIR, "node_modules", "@oven", "bun-linux-x64", "bin", "bun"),
  args: ["run"],
};

// Deno finds a pnpm workspace's packages only in the node_modules folders pnpm made.
export const DENO: Runtime = {
  name: "deno",
  command: join(RUNTIMES_DIR, "node_modules", "@deno", "linux-x64-glibc", "deno"),
  args: ["run", "--allow-all", "--node-modules-dir=manual"],
};

/** How a run ended. `result` is the payload of the script's `RESULT <json>` line, when it printed one. */
export interface RunOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly result: unknown;
}

/**
 * Runs `script` in the runtime without blocking this process (the fake
 * platform it talks to lives here), killing it after `timeoutMs`.
 */
export function runScript(
  runtime: Runtime,
  script: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; extraArgs?: readonly string[] } = {},
): Promise<RunOutcome> {
  if (!existsSync(runtime.command)) {
    // The binaries are optional dependencies for Linux x64: say so instead of a bare ENOENT.
    throw new Error(`${runtime.name} is not installed at ${runtime.command} (Linux x64 only; run pnpm install there)`);
  }
  const child = spawn(runtime.command, [...runtime.args, ...(options.extraArgs ?? []), script], {
    cwd: RUNTIMES_DIR,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((text) => text.startsWith("RESULT "));
      resolve({ code, stdout, stderr, result: line === undefined ? undefined : JSON.parse(line.slice(7)) });
    });
  });
}

/** Removes a bundle's folder (made by `bundle`). */
export async function removeBundle(file: string | undefined): Promise<void> {
  if (file) await rm(dirname(file), { recursive: true, force: true });
}
