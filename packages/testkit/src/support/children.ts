import { type ChildProcess, type ForkOptions, fork } from "node:child_process";

/**
 * Starts `script` (a .ts file) in a child Node process through tsx, resolving
 * `@sessionstore/*` to sources, with an IPC channel; stderr is inherited so a
 * crash explains itself.
 */
export function forkTsx(script: string, args: readonly string[], options: ForkOptions = {}): ChildProcess {
  return fork(script, [...args], {
    execArgv: ["--import", "tsx", "--conditions=@sessionstore/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...options,
  });
}

/** Resolves with the exit code (or signal) once the process is gone. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

/**
 * Resolves with everything the child printed on stdout once it printed `line`;
 * rejects if it exits first, with `detail()` (its stderr, say) in the message.
 */
export function printed(child: ChildProcess, line: string, detail: () => string = () => ""): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.split("\n").includes(line)) {
        child.stdout?.off("data", onData);
        child.off("close", onExit);
        resolve(seen);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      const more = detail();
      reject(new Error(`child exited (${code ?? signal}) before printing "${line}"${more ? `: ${more}` : ""}`));
    };
    child.stdout?.on("data", onData);
    // "close", not "exit": stdout and IPC messages can still arrive after "exit" (a loaded run lost a "done" so).
    child.once("close", onExit);
  });
}

/** Resolves with the next IPC message of `type` from now on (rejects if the child exits first). */
export function message<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (received: unknown) => {
      if ((received as { type?: unknown } | null)?.type !== type) return;
      child.off("message", onMessage);
      child.off("close", onExit);
      resolve(received as T);
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`child exited (${code ?? signal}) before sending "${type}"`));
    child.on("message", onMessage);
    // "close", not "exit": stdout and IPC messages can still arrive after "exit" (a loaded run lost a "done" so).
    child.once("close", onExit);
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
  // "close", not "exit": stdout can still arrive after "exit".
  child.once("close", (code, signal) => {
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
