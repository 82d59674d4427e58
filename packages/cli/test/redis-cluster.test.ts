// `--store redis+cluster://host:port,host:port` against a real 3-master Redis Cluster.
import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedisClusterProcess,
  reserveClusterPorts,
  startRedisCluster,
} from "../../redis/test/support/redis-cluster.js";
import { parseStoreUri } from "../src/store-uri.js";
import { run } from "./support/harness.js";

let cluster: RedisClusterProcess;
let ports: number[];
const namespace = `cli-cluster-${globalThis.crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  ports = await reserveClusterPorts(3);
  cluster = await startRedisCluster(ports);
}, 60_000);
afterAll(async () => {
  await cluster?.dispose();
});

describe("Redis Cluster store URIs", () => {
  it("parse into root nodes, with the password masked in what is shown", () => {
    const uri = parseStoreUri("redis+cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001?prefix=my-app");
    expect(uri).toMatchObject({
      kind: "redis",
      nodes: ["redis://app:s3cret@10.0.0.1:7000", "redis://app:s3cret@10.0.0.2:7001"],
      keyPrefix: "my-app",
      display: "redis+cluster://app:****@10.0.0.1:7000,10.0.0.2:7001?prefix=my-app",
    });
    expect(uri.kind === "redis" && uri.secrets).toContain("s3cret");
    expect(parseStoreUri("rediss+cluster://h:7000")).toMatchObject({ tls: true, nodes: ["rediss://h:7000"] });
    expect(() => parseStoreUri("redis+cluster://h:7000,,h2:7001")).toThrow(/not a cluster URI/);
    expect(() => parseStoreUri("redis+cluster://h:7000/2")).toThrow(/only database 0/);
    expect(() => parseStoreUri("redis+cluster://a:pw@h:7000,h2:notaport")).not.toThrow(/pw/);
  });

  it("list, show and delete work on a real cluster given one or several root nodes", async () => {
    const store = createRedisStore({ nodes: ports.map((port) => `redis://127.0.0.1:${port}`) });
    const manager = createSessionManager(store, { namespace });
    // Subjects spread over the cluster's slots.
    for (const subject of ["alice", "bob", "carol", "dave", "erin"]) {
      await manager.forSubject(subject).write("password", { accessToken: `at-${subject}`, expiresIn: 3600 });
    }
    await store.close();

    const all = `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`;
    const listed = await run(["list", "--store", all, "--namespace", namespace, "--json"], { now: Date.now });
    expect(listed.code, listed.stderr).toBe(0);
    const subjects = (JSON.parse(listed.stdout) as { sessions: Array<{ subject: string }> }).sessions.map(
      (session) => session.subject,
    );
    expect(subjects).toEqual(["alice", "bob", "carol", "dave", "erin"]);
    expect(listed.stdout).not.toContain("at-alice");

    const oneRoot = `redis+cluster://127.0.0.1:${ports[1]}`;
    const deleted = await run(["delete", "--store", oneRoot, "--namespace", namespace, "--subject", "carol"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const cleared = await run(["clear", "--store", oneRoot, "--namespace", namespace, "--yes"]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain("4");
  });
});
