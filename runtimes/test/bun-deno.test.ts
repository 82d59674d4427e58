import { join } from "node:path";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { BUN, DENO, type RunOutcome, type Runtime, removeBundle, runScript } from "./support/runtime.js";
import { closedPort, dropRedisPrefix, dropSqlTables, scratchDir, uniqueTable } from "./support/scratch.js";

interface TestResult {
  name: string;
  ok: boolean;
  error?: string;
}

const bundles: Record<"conformance" | "client" | "podio" | "selfCheck", string> = {
  conformance: "",
  client: "",
  podio: "",
  selfCheck: "",
};

beforeAll(async () => {
  bundles.conformance = await bundle("entries/conformance.ts");
  bundles.client = await bundle("entries/client.ts");
  bundles.podio = await bundle("entries/podio.ts");
  bundles.selfCheck = await bundle("entries/self-check.ts");
});
afterAll(async () => {
  for (const file of Object.values(bundles)) await removeBundle(file);
});

const STORES = ["memory", "file", "sqlite", "redis", "postgres", "mysql"];

/** Fails with what the runtime printed, so a red run says why. */
function expectSuccess(outcome: RunOutcome): void {
  expect(outcome.code, `stderr:\n${outcome.stderr.slice(-3_000)}`).toBe(0);
}

describe.each([BUN, DENO])("$name", (runtime: Runtime) => {
  it("the mini runner reports failures, hook errors and timeouts in this runtime", async () => {
    const outcome = await runScript(runtime, bundles.selfCheck, {});
    expectSuccess(outcome);
    expect(outcome.result).toEqual([
      { name: "self-check > passes", ok: true },
      { name: "self-check > fails on a wrong value", ok: false },
      { name: "self-check > fails on a promise that resolves where it should reject", ok: false },
      { name: "self-check > times out", ok: false },
      { name: "self-check > hooks > fails in afterEach", ok: false },
    ]);
  });

  it("passes the SessionStore conformance suite for the memory, file, SQLite, Redis, PostgreSQL and MySQL stores", async () => {
    const scratch = await scratchDir(runtime.name);
    const table = uniqueTable();
    const redisPrefix = `ssr-rt-${runtime.name}-${globalThis.crypto.randomUUID().slice(0, 13)}`;
    try {
      const outcome = await runScript(runtime, bundles.conformance, {
        RUNTIME_STORES: STORES.join(","),
        RUNTIME_SQL_TABLE: table,
        RUNTIME_TMP: scratch.path,
        RUNTIME_CLOSED_PORT: String(await closedPort()),
        RUNTIME_REDIS_PREFIX: redisPrefix,
      });
      const results = (outcome.result ?? []) as TestResult[];
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expectSuccess(outcome);
      for (const store of STORES) {
        const ran = results.filter((result) => result.name.startsWith(`SessionStore conformance: ${store} >`));
        // Every concern file ran (crud ... legacy contract; locking and listing where declared).
        expect(ran.length, store).toBeGreaterThanOrEqual(30);
      }
    } finally {
      await scratch.remove();
      await dropRedisPrefix(redisPrefix);
      await dropSqlTables(table);
    }
  });

  describe.each(["file", "sqlite"])("the client with the %s store", (storeKind) => {
    let server: FakePlatform;
    let scratch: Awaited<ReturnType<typeof scratchDir>>;
    beforeAll(async () => {
      server = await startFakePlatform();
      scratch = await scratchDir(`${runtime.name}-client`);
    });
    afterAll(async () => {
      await server?.close();
      await scratch?.remove();
    });
    const phase = (name: string) =>
      runScript(runtime, bundles.client, {
        RUNTIME_PHASE: name,
        RUNTIME_API_URL: server.url,
        RUNTIME_CLIENT_STORE: storeKind,
        RUNTIME_CLIENT_PATH: join(scratch.path, storeKind === "file" ? "sessions.json" : "sessions.db"),
      });

    it("signs in, restores in a new process with 0 token calls, and a 100-request expired-token storm makes 1", async () => {
      const signin = await phase("signin");
      expectSuccess(signin);
      expect(signin.result).toEqual([expect.objectContaining({ user: expect.objectContaining({ username: "demo" }) })]);
      expect(server.stats.byGrant).toEqual({ password: 1 });

      const restore = await phase("restore");
      expectSuccess(restore);
      expect(restore.result).toEqual([true, expect.objectContaining({ user: expect.anything() })]);
      expect(server.stats.tokenCalls).toBe(1);

      server.expireAccessTokens();
      const storm = await phase("storm");
      expectSuccess(storm);
      expect(storm.result).toHaveLength(100);
      expect(storm.result).toContainEqual(expect.objectContaining({ item_id: "99" }));
      expect(server.stats.tokenCalls).toBe(2);
      expect(server.stats.refreshCalls).toBe(1);
      expect(server.stats.reuseDetected).toBe(0);
    });
  });

  it("runs podio-js 1.6.1 with our file store: sign in, restore in a new process, refresh on expiry", async () => {
    const server = await startFakePlatform();
    const scratch = await scratchDir(`${runtime.name}-podio`);
    try {
      const phase = (name: string) =>
        runScript(runtime, bundles.podio, {
          RUNTIME_PHASE: name,
          RUNTIME_API_URL: server.url,
          RUNTIME_CLIENT_PATH: join(scratch.path, "sessions.json"),
        });
      const signin = await phase("signin");
      expectSuccess(signin);
      expect(signin.result).toMatchObject({ answer: { user: { username: "demo" } } });
      const restore = await phase("restore");
      expectSuccess(restore);
      expect(restore.result).toMatchObject({ answer: { user: { username: "demo" } } });
      expect(server.stats.tokenCalls).toBe(1);
      server.expireAccessTokens();
      const refresh = await phase("refresh");
      expectSuccess(refresh);
      expect(refresh.result).toMatchObject({ answer: { item_id: "3" } });
      expect(server.stats.refreshCalls).toBe(1);
    } finally {
      await server.close();
      await scratch.remove();
    }
  });
});
