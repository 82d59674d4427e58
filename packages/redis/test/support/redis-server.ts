import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port nothing listens on right now (the OS picks it, we release it). */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** A real redis-server child process on a port of its own, stopped and started by the test. */
export interface RedisServerProcess {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL: the server vanishes as in a crash (connections reset, nothing flushed). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server stays connected but answers nothing. */
  pause(): void;
  resume(): void;
  /** Kills the server if running and removes its directory. */
  dispose(): Promise<void>;
}

function waitForReady(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before ready:\n${output}`));
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts `redis-server --port <port> --save "" --appendonly no` (plus `extraArgs`)
 * as a child in a fresh temp directory. The port stays the same across restarts.
 */
export async function startRedisServer(
  options: { port?: number; extraArgs?: string[] } = {},
): Promise<RedisServerProcess> {
  const port = options.port ?? (await sparePort());
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-redis-"));
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    args.push("--daemonize", "no", "--dir", dir, ...(options.extraArgs ?? []));
    const started = spawn("redis-server", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    await waitForReady(started, `redis-server on port ${port}`);
    // Keep draining output so the child never blocks on a full pipe.
    started.stdout?.resume();
    started.stderr?.resume();
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGCONT");
    running.kill("SIGKILL");
    await exited;
  };

  try {
    await start();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
