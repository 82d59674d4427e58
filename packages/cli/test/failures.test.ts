import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES } from "@sessionstore/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess } from "./support/cli-process.js";
import { run } from "./support/harness.js";

async function listen(
  onConnection: (socket: Socket) => void = () => undefined,
): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return { server, port: address.port };
}

/** A port nothing listens on: taken from the OS, then given back. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("bad input (real process)", () => {
  it("a bad URI exits 1 and names the problem", async () => {
    const result = await runCliProcess(["list", "--store", "mysql://db/sessions"]);
    expect(result).toMatchObject({ code: EXIT_CODES.USAGE, stdout: "" });
    expect(result.stderr).toContain('bad --store URI: unsupported scheme "mysql:"');
    const json = await runCliProcess(["list", "--store", "redis://cache:6379/x", "--json"]);
    expect(json.code).toBe(EXIT_CODES.USAGE);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", exitCode: 1 });
  });

  it("no command prints the help on stderr and exits 1; --help exits 0", async () => {
    const bare = await runCliProcess([]);
    expect(bare.code).toBe(EXIT_CODES.USAGE);
    expect(bare.stderr).toContain("Usage: sessionstore <command>");
    const help = await runCliProcess(["help", "clear"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Usage: sessionstore clear");
  });
});

describe("unreachable Redis (real process, real sockets)", () => {
  let blackhole: { server: Server; port: number };
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a hung Redis, the case that would hang a naive client.
    blackhole = await listen((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackhole.server.close(() => resolve()));
  });

  it("a closed port exits 2 by itself, well within the kill bound", async () => {
    const port = await closedPort();
    const result = await runCliProcess(["list", "--store", `redis://127.0.0.1:${port}`, "--timeout", "1000"], {
      killAfterMs: 15_000,
    });
    expect(result).toMatchObject({ code: EXIT_CODES.STORE_UNAVAILABLE, signal: null, stdout: "" });
    expect(result.stderr).toMatch(/^sessionstore: /);
  });

  it("a server that never answers exits 2 by itself", async () => {
    const result = await runCliProcess(
      ["show", "--store", `redis://127.0.0.1:${blackhole.port}`, "--timeout", "1000", "--json"],
      { killAfterMs: 15_000 },
    );
    expect(result).toMatchObject({ code: EXIT_CODES.STORE_UNAVAILABLE, signal: null, stdout: "" });
    expect(JSON.parse(result.stderr).error.code).toBe("ERR_STORE_UNAVAILABLE");
  });

  it("a password in the URI (given through SESSIONSTORE_STORE) never appears in the output", async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const port = await closedPort();
    const result = await runCliProcess(["list", "--timeout", "1000"], {
      env: { SESSIONSTORE_STORE: `redis://user:${password}@127.0.0.1:${port}/0` },
      killAfterMs: 15_000,
    });
    expect(result.code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });
});

describe("missing files (in-process, default opener)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-missing-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(["file", "sqlite"])("%s: a path that does not exist is exit 2, and is not created", async (scheme) => {
    const path = join(dir, `nope.${scheme}`);
    const result = await run(["list", "--store", `${scheme}:${path}`]);
    expect(result.code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(result.stderr).toContain(`${path} does not exist`);
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a directory is exit 2", async () => {
    const result = await run(["list", "--store", `file:${dir}`]);
    expect(result.code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(result.stderr).toContain("is not a file");
  });
});
