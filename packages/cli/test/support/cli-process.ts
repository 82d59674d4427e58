import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;
const CLI_SOURCE = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
/** The built bin, as `npm i -g @sessionstore/cli` would run it. */
export const CLI_DIST = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface ProcessResult {
  /** Exit status; `null` when the process was killed (it hung past the bound). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the child after this long: a CLI that hangs fails the test by being killed. @default 20000 */
  killAfterMs?: number;
  /** Run the built `dist/cli.js` with node instead of the sources with tsx. @default false */
  built?: boolean;
}

/**
 * Runs the real `sessionstore` program in a child process: the sources via tsx
 * (the `@sessionstore/source` condition resolves workspace packages to their
 * sources, so no build is needed), or the built bin.
 */
export function runCliProcess(args: readonly string[], options: SpawnOptions = {}): Promise<ProcessResult> {
  const [command, prefix] = options.built
    ? [process.execPath, [CLI_DIST]]
    : [TSX, ["--conditions=@sessionstore/source", CLI_SOURCE]];
  if (options.built && !existsSync(CLI_DIST)) {
    throw new Error(`${CLI_DIST} is missing: run "pnpm build" first (the root "pnpm test" does)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.killAfterMs ?? 20_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
