import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Resolves with the exit code (or signal) once the process is gone. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

/** Resolves when the child prints `line` (rejects if it exits first). */
export function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.split("\n").includes(line)) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) before printing "${line}"`)));
  });
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

/** Every stdout line a child printed, kept from the start, so a wait never misses a line already printed. */
export interface LineWatch {
  /** Resolves once the child printed `line` (at any time since the watch began); rejects if it exits first. */
  until(line: string): Promise<void>;
}

/** Starts recording the child's stdout lines; call it right after starting the child. */
export function watchLines(child: ChildProcess): LineWatch {
  const seen = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  let partial = "";
  let exitedWith: string | undefined;
  const rejecters = new Set<(error: Error) => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      seen.add(line);
      for (const resolve of waiters.get(line) ?? []) resolve();
      waiters.delete(line);
    }
  });
  child.once("exit", (code, signal) => {
    exitedWith = String(code ?? signal);
    for (const reject of rejecters) reject(new Error(`worker exited (${exitedWith}) before printing the line awaited`));
  });
  return {
    until(line) {
      if (seen.has(line)) return Promise.resolve();
      if (exitedWith !== undefined) return Promise.reject(new Error(`worker exited (${exitedWith}) before "${line}"`));
      return new Promise((resolve, reject) => {
        const done = () => {
          rejecters.delete(reject);
          resolve();
        };
        rejecters.add(reject);
        waiters.set(line, [...(waiters.get(line) ?? []), done]);
      });
    },
  };
}
