import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FakePlatformOptions, FakePlatformStats } from "@sessionstore/testkit/platform";

/** Messages the parent sends to the platform process. */
export type PlatformCommand =
  | { readonly id: number; readonly type: "stats" | "reset" | "expire" }
  | { readonly id: number; readonly type: "close" };

/** Messages the platform process answers with. */
export type PlatformReply =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "done"; readonly id: number; readonly stats: FakePlatformStats };

/** The fake platform running in a process of its own, driven over IPC. */
export interface PlatformProcess {
  readonly url: string;
  stats(): Promise<FakePlatformStats>;
  resetStats(): Promise<FakePlatformStats>;
  expireAccessTokens(): Promise<FakePlatformStats>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./platform-child.ts", import.meta.url));

/**
 * Starts the fake platform in a child process, so the server's CPU time is not
 * charged to the client being measured (as with a real, remote API). The child
 * inherits this process's tsx loader and conditions through `execArgv`.
 */
export async function startPlatformProcess(options: FakePlatformOptions = {}): Promise<PlatformProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`platform process exited with code ${code}`)));
    child.on("message", (message: PlatformReply) => {
      if (message.type === "ready") resolve(message.url);
    });
  });
  child.removeAllListeners("exit");
  let nextId = 0;
  const call = (type: "stats" | "reset" | "expire") =>
    new Promise<FakePlatformStats>((resolve) => {
      const id = ++nextId;
      const onMessage = (message: PlatformReply) => {
        if (message.type === "done" && message.id === id) {
          child.off("message", onMessage);
          resolve(message.stats);
        }
      };
      child.on("message", onMessage);
      child.send({ id, type } satisfies PlatformCommand);
    });
  return {
    url,
    stats: () => call("stats"),
    resetStats: () => call("reset"),
    expireAccessTokens: () => call("expire"),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ id: ++nextId, type: "close" } satisfies PlatformCommand);
      }),
  };
}
