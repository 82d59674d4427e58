import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { crashSentinel, outcomeOf } from "@sessionstore/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { otherConnections } from "./support/keyv-over-redis.js";
import { sparePort, startRedisServer } from "./support/redis-server.js";
import { uniqueNamespace } from "./support/shared-redis.js";

const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const unusedStore = fileURLToPath(new URL("./fixtures/unused-store.ts", import.meta.url));

/** A TCP server that accepts and at once drops every connection: a "Redis" that never becomes ready. */
async function droppingServer(): Promise<{ server: Server; url: string; connected: Promise<Socket> }> {
  let connected!: (socket: Socket) => void;
  const first = new Promise<Socket>((resolve) => {
    connected = resolve;
  });
  const server = createServer((socket) => {
    connected(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return { server, url: `redis://127.0.0.1:${address.port}`, connected: first };
}

describe("a store made from a url starts connecting at once (warm-up)", () => {
  const stores: RedisStore[] = [];
  const open = (options: Parameters<typeof createRedisStore>[0]) => {
    const store = createRedisStore(options);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it("its connection shows in CLIENT LIST before any call, and the first call uses it", async () => {
    // A server of its own: the shared one also counts other test files' connections.
    const server = await startRedisServer();
    try {
      expect(await otherConnections(server.url)).toBe(0);
      const store = open({ url: server.url, namespace: uniqueNamespace("warm") });
      await vi.waitFor(async () => expect(await otherConnections(server.url)).toBe(1), {
        timeout: 10_000,
        interval: 20,
      });
      await store.set("k", { v: 1 });
      expect(await store.get("k")).toEqual({ v: 1 });
      expect(await otherConnections(server.url)).toBe(1);
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await server.dispose();
    }
  });

  it("against a server that drops the connection: no unhandled rejection, the first call is ERR_STORE_UNAVAILABLE", async () => {
    const sentinel = crashSentinel();
    sentinel.install();
    const { server, url, connected } = await droppingServer();
    try {
      const store = open({ url, namespace: uniqueNamespace("drop"), connectTimeoutMs: 500 });
      // Construction alone reached the server.
      await connected;
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_STORE_UNAVAILABLE" } });
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await new Promise((resolve) => server.close(resolve));
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });

  it("against a closed port: no unhandled rejection, the first call is ERR_STORE_UNAVAILABLE", async () => {
    const sentinel = crashSentinel();
    sentinel.install();
    try {
      const store = open({ url: `redis://127.0.0.1:${await sparePort()}`, namespace: "down", connectTimeoutMs: 500 });
      const first = await outcomeOf(() => store.get("k"));
      expect(first).toMatchObject({ status: "rejected", reason: { code: "ERR_STORE_UNAVAILABLE" } });
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      expect(await sentinel.uninstall()).toEqual([]);
    }
  });

  it("a store made against a down Redis and never called lets its process exit (the warm-up does not retry)", async () => {
    const url = `redis://127.0.0.1:${await sparePort()}`;
    // Its own process group, so a hung tsx and the node process it started can be killed together.
    const child = spawn(tsx, ["--conditions=@sessionstore/source", unusedStore, url], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    try {
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code, stderr }));
      });
      const exit = await outcomeOf(() => exited, 20_000);
      expect(exit).toMatchObject({ status: "fulfilled", value: { code: 0, stderr: "" } });
    } finally {
      // A hung child (the defect this test catches) must not outlive the test.
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
    }
  }, 60_000);
});
