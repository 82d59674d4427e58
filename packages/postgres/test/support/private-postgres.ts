import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "@sessionstore/testkit/support";
import pg from "pg";

/** A PostgreSQL server of the test's own: password auth (scram), a port of its own, stoppable. */
export interface PrivatePostgres {
  readonly port: number;
  readonly password: string;
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Stops the server (fast shutdown: clients are disconnected). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (!newest) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql");
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** Whether the server answers a query (its port opens while it is still "starting up"). */
async function accepting(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * initdb + postgres in a temporary directory, run as the `postgres` user (the
 * server refuses root; the test runs as root, so it can spawn as that user). The shared server on 5432 trusts every local login,
 * so a wrong password can only be tested against a server like this one.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-pg-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  const password = `pw-${globalThis.crypto.randomUUID()}`;
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, password);
  chownSync(pwfile, uid, gid);
  const data = join(dir, "data");
  const bin = binDir();
  execFileSync(`${bin}/initdb`, ["-D", data, "-A", "scram-sha-256", "-U", "postgres", `--pwfile=${pwfile}`], {
    stdio: "ignore",
    uid,
    gid,
  });
  const port = await closedPort();
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;

  const start = async () => {
    server = spawn(`${bin}/postgres`, ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"], {
      stdio: "ignore",
      uid,
      gid,
    });
    const deadline = Date.now() + 30_000;
    while (!(await accepting(url))) {
      if (Date.now() > deadline) throw new Error(`private PostgreSQL did not open port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    // SIGINT: a fast shutdown that disconnects every client.
    running.kill("SIGINT");
    await exited;
  };
  await start();
  return {
    port,
    password,
    url,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
