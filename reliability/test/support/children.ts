import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll } from "vitest";

// Bundles go under reliability/.cache (git-ignored) so the native `sqlite3`,
// left external, resolves from reliability/node_modules.
const CACHE = fileURLToPath(new URL("../../.cache/", import.meta.url));
const running = new Set<ChildProcess>();
const bundles: string[] = [];
// Messages a child sent before anyone waited for them.
const inboxes = new WeakMap<ChildProcess, unknown[]>();

afterAll(() => {
  for (const child of running) killGroup(child);
  running.clear();
  for (const dir of bundles.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Bundles a fixture (with the packages' current sources) into one .mjs, so a
 * child starts as plain `node` in ~60 ms instead of ~1 s through tsx: the kill
 * loop and the lock tests start dozens of them.
 */
export async function bundleFixture(name: string): Promise<string> {
  const dir = join(CACHE, `bundle-${globalThis.crypto.randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  bundles.push(dir);
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL(`../fixtures/${name}.ts`, import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@sessionstore/source"],
    external: ["sqlite3", "pg-native"],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: "silent",
  });
  return outfile;
}

/**
 * Starts `node <script> ...args` in a process group of its own (so a kill
 * reaches anything it spawned), with an IPC channel; killed in afterAll at the latest.
 */
export function startChild(script: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["pipe", "pipe", "inherit", "ipc"],
    detached: true,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const inbox: unknown[] = [];
  inboxes.set(child, inbox);
  child.on("message", (received) => inbox.push(received));
  return child;
}

/** SIGKILLs the child's whole process group. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/**
 * Resolves with the first IPC message of `type` not taken yet, including one sent
 * before this call (rejects if the child exits first).
 */
export function message<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  const inbox = inboxes.get(child) ?? [];
  const isWanted = (received: unknown) => (received as { type?: unknown } | null)?.type === type;
  const waiting = inbox.findIndex(isWanted);
  if (waiting >= 0) return Promise.resolve(inbox.splice(waiting, 1)[0] as T);
  return new Promise((resolve, reject) => {
    const onMessage = (received: unknown) => {
      if (!isWanted(received)) return;
      child.off("message", onMessage);
      child.off("close", onExit);
      // The inbox listener ran first (registered earlier): take it out of there.
      inbox.splice(inbox.indexOf(received), 1);
      resolve(received as T);
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`child exited (${code ?? signal}) before sending "${type}"`));
    child.on("message", onMessage);
    // "close", not "exit": stdout and IPC messages can still arrive after "exit" (a loaded run lost a "done" so).
    child.once("close", onExit);
  });
}
