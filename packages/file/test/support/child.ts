import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exited } from "@sessionstore/testkit/support";
import { build } from "esbuild";
import { tempDir } from "./temp-dir.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/file-worker.ts", import.meta.url));

/**
 * Bundles the worker fixture with the package's current sources into one .mjs,
 * so children start as plain `node` (~60 ms; tsx costs ~400 ms a start, too slow
 * for a hundred kills) and never run a stale dist. The directory is world-readable
 * so a child can run as another user.
 */
export async function bundleWorker(): Promise<string> {
  const dir = await tempDir("worker");
  await chmod(dir, 0o755);
  const outfile = join(dir, "file-worker.mjs");
  await build({
    entryPoints: [FIXTURE],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@sessionstore/source"],
    logLevel: "silent",
  });
  await chmod(outfile, 0o644);
  return outfile;
}

/** Starts the worker; stdout is piped, stderr inherited so a crash explains itself. */
export function startWorker(worker: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [worker, ...args], { stdio: ["ignore", "pipe", "inherit"], ...options });
}

/** Runs the worker to completion and returns its stdout. */
export async function runWorker(worker: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const child = startWorker(worker, args, options);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  // A child that cannot start (EACCES on the node binary for another user) must fail
  // this test with its reason, not surface as an uncaught exception and a timeout.
  const code = await Promise.race([exited(child), new Promise<never>((_, reject) => child.once("error", reject))]);
  if (code !== 0) throw new Error(`worker ${args.join(" ")} exited with ${code}`);
  return output;
}
