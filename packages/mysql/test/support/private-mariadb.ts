import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "./mysql.js";

/** A MariaDB server of the test's own, on a port of its own, that a test may stop and start. */
export interface PrivateMariadb {
  readonly port: number;
  /** `mysql://root@127.0.0.1:<port>/test` */
  readonly url: string;
  /** Stops the server (clients are disconnected). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * mariadb-install-db + mariadbd in a temporary directory (root logs in with
 * no password). The shared server on 3306 serves every test: only a private
 * one can be stopped to test an outage.
 */
export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-mariadb-"));
  const uid = Number(execFileSync("id", ["-u", "mysql"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "mysql"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, "data");
  execFileSync(
    "mariadb-install-db",
    [
      "--no-defaults",
      `--datadir=${data}`,
      "--user=mysql",
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ],
    { stdio: "ignore" },
  );
  const port = await closedPort();
  let server: ChildProcess | undefined;

  const start = async () => {
    server = spawn(
      "mariadbd",
      [
        "--no-defaults",
        `--datadir=${data}`,
        `--port=${port}`,
        `--socket=${join(dir, "sock")}`,
        "--bind-address=127.0.0.1",
        "--user=mysql",
      ],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 30_000;
    while (!(await portOpen(port))) {
      if (Date.now() > deadline) throw new Error(`private MariaDB did not open port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  };
  await start();
  execFileSync("mariadb", ["-h", "127.0.0.1", "-P", String(port), "-uroot", "-e", "CREATE DATABASE test"]);
  return {
    port,
    url: `mysql://root@127.0.0.1:${port}/test`,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
