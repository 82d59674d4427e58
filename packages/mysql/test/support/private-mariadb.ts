import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "@sessionstore/testkit/support";
import { createConnection } from "mysql2/promise";

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

/** Whether the server answers a query (not only whether its port is open). */
async function accepting(port: number): Promise<boolean> {
  try {
    const connection = await createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 2000 });
    await connection.query("SELECT 1");
    await connection.end();
    return true;
  } catch {
    return false;
  }
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
    while (!(await accepting(port))) {
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
