import { createServer, type Server } from "node:net";
import { EXIT_CODES } from "@sessionstore/cli";
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.js";

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
