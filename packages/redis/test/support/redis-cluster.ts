import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createClient } from "@redis/client";
import { type RedisServerProcess, startRedisServer } from "./redis-server.js";

/** A small real Redis Cluster (masters only) of child redis-server processes. */
export interface RedisClusterProcess {
  readonly nodes: RedisServerProcess[];
  readonly urls: string[];
  /** Resolves once every node reports `cluster_state:ok`. */
  waitUntilOk(): Promise<void>;
  dispose(): Promise<void>;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Ports for `count` nodes, reserved up front so store options can name them
 * before the cluster starts. A cluster node also listens on port + 10000 (its
 * bus; `--cluster-port` would need Redis 7), so both must be free.
 */
export async function reserveClusterPorts(count = 3): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 1_000; attempt += 1) {
    const port = 15_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port) || ports.includes(port + 10_000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error("no free port pairs for a cluster");
  return ports;
}

async function clusterState(port: number): Promise<string> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const info = String(await client.sendCommand(["CLUSTER", "INFO"]));
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? "unknown";
  } catch {
    return "unreachable";
  } finally {
    if (client.isOpen) client.destroy();
  }
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`redis-cli ${args.join(" ")}: ${code}\n${output}`)),
    );
  });
}

/** Starts one redis-server per port with cluster mode on, then `redis-cli --cluster create`. */
export async function startRedisCluster(ports: number[]): Promise<RedisClusterProcess> {
  const nodes = await Promise.all(
    ports.map((port) =>
      startRedisServer({ port, extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"] }),
    ),
  );
  const waitUntilOk = async () => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const states = await Promise.all(nodes.map((node) => clusterState(node.port)));
      if (states.every((state) => state === "ok")) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the cluster did not reach cluster_state:ok");
  };
  try {
    await runCli([
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    await waitUntilOk();
  } catch (error) {
    await Promise.all(nodes.map((node) => node.dispose()));
    throw error;
  }
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    waitUntilOk,
    async dispose() {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  };
}
