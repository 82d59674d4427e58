import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited } from "@sessionstore/testkit/support";
import { killGroup } from "./children.js";

/** A port nothing listens on right now (the OS picks it, we release it). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A real redis-server of our own, on a spare port that stays the same across restarts. */
export interface RedisServer {
  readonly url: string;
  /** Starts it (again), with the data it had: append-only file, fsync on every write. */
  start(): Promise<void>;
  /** SIGKILL, as a crash: connections reset at once. */
  kill(): Promise<void>;
  /** Kills it and removes its directory. */
  dispose(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-rel-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
      ].concat(["--dir", dir, "--daemonize", "no"]),
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!output.includes("Ready to accept connections")) return;
        started.stdout?.off("data", onData);
        started.off("exit", onExit);
        // Keep draining, so the server never blocks on a full pipe.
        started.stdout?.resume();
        started.stderr?.resume();
        resolve();
      };
      const onExit = (code: number | null) => reject(new Error(`redis-server exited (${code}):\n${output}`));
      started.stdout?.on("data", onData);
      started.once("exit", onExit);
    });
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running) return;
    killGroup(running);
    await exited(running);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
