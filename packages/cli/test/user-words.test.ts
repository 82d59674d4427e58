import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { EXIT_CODES } from "@sessionstore/cli";
import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./support/harness.js";

describe("store failures in the words of the command line", () => {
  let closedPort: number;

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens on it once closed.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it("redis://…/99 on a real Redis is a bad URI (exit 1), not an unreachable store", async () => {
    const result = await run(["list", "--store", "redis://127.0.0.1:6379/99", "--namespace", "n"]);
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toContain("Redis has no database 99 (redis://127.0.0.1:6379/99)");
    expect(result.stderr).not.toContain("not reachable");
  });

  it("a closed port names --timeout as given, never an adapter option or half the value", async () => {
    const result = await run(["list", "--store", `redis://127.0.0.1:${closedPort}`, "--timeout", "1000"]);
    expect(result.code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(result.stderr).toContain("within the --timeout (1000 ms)");
    expect(result.stderr).not.toMatch(/connectTimeoutMs|commandTimeoutMs|500 ms/);
  });
});

describe("list that finds nothing says where it looked and what else is there", () => {
  const prefix = `cli-else-${randomUUID().slice(0, 8)}`;
  const empty = `cli-empty-${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    const store = createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: prefix });
    await createSessionManager(store, { namespace: "app" }).clear();
    await store.close();
  });

  it("names the other namespaces, and for Redis the key prefix it used", async () => {
    const store = createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: prefix });
    await createSessionManager(store, { namespace: "app" }).forSubject("alice").write("app", { accessToken: "a" });
    await store.close();

    const wrongNamespace = await run([
      "list",
      "--store",
      `redis://127.0.0.1:6379?prefix=${prefix}`,
      "--namespace",
      "ap",
    ]);
    expect(wrongNamespace.code).toBe(EXIT_CODES.OK);
    expect(wrongNamespace.stdout).toContain(`No sessions in namespace "ap" (redis://127.0.0.1:6379?prefix=${prefix})`);
    expect(wrongNamespace.stdout).toContain('other namespaces of this store: "app"');

    const wrongPrefix = await run(["list", "--store", `redis://127.0.0.1:6379?prefix=${empty}`, "--namespace", "app"]);
    expect(wrongPrefix.stdout).toContain(`no sessions under the Redis key prefix "${empty}"`);
    expect(wrongPrefix.stdout).toContain("?prefix=<it>");
  });
});
