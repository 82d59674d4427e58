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

/** Resolves with the exit code or signal once the process is gone. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
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
      child.off("exit", onExit);
      // The inbox listener ran first (registered earlier): take it out of there.
      inbox.splice(inbox.indexOf(received), 1);
      resolve(received as T);
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`child exited (${code ?? signal}) before sending "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Resolves when the child prints `line` on stdout (rejects if it exits first). */
export function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.split("\n").includes(line)) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`child exited (${code ?? signal}) before printing "${line}"`));
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
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
  const rejecters = new Set<(error: Error) => void>();
  let partial = "";
  let exitedWith: string | undefined;
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
    for (const reject of rejecters) reject(new Error(`child exited (${exitedWith}) before printing the line awaited`));
  });
  return {
    until(line) {
      if (seen.has(line)) return Promise.resolve();
      if (exitedWith !== undefined) return Promise.reject(new Error(`child exited (${exitedWith}) before "${line}"`));
      return new Promise((resolve, reject) => {
        rejecters.add(reject);
        const done = () => {
          rejecters.delete(reject);
          resolve();
        };
        waiters.set(line, [...(waiters.get(line) ?? []), done]);
      });
    },
  };
}
