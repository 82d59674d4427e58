import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

// tsx's loader in this very process, not the `tsx` CLI: the CLI runs the script
// in a second node process, which a SIGKILL of the CLI would leave running.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const WORKER = fileURLToPath(new URL("../fixtures/sqlite-worker.ts", import.meta.url));

/** A worker process; `stderrText()` is what it wrote on stderr so far (and why a spawn failed). */
export type Worker = ChildProcess & { stderrText: () => string };

/**
 * Runs the worker fixture from sources (node + tsx loader); stdin/stdout piped,
 * stderr collected. `node` defaults to the node running the tests.
 */
export function startWorker(args: string[], options: SpawnOptions & { node?: string } = {}): Worker {
  const { node = process.execPath, ...spawnOptions } = options;
  let stderr = "";
  const child = spawn(node, ["--import", TSX_LOADER, "--conditions=@sessionstore/source", WORKER, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    ...spawnOptions,
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  // A failed spawn (EACCES, ENOENT) ends the worker like an exit instead of an uncaught 'error' event.
  child.on("error", (error) => {
    stderr += `spawn failed: ${error.message}\n`;
    child.emit("exit", null, null);
  });
  return Object.assign(child, { stderrText: () => stderr });
}

/** The first line the child prints on stdout. */
export function firstLine(child: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const end = seen.indexOf("\n");
      if (end !== -1) resolve(seen.slice(0, end));
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) without printing: ${child.stderrText()}`)));
  });
}
