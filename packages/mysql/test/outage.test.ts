import { createMysqlStore, type MysqlStore } from "@sessionstore/mysql";
import { useCrashSentinel } from "@sessionstore/testkit/support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PrivateMariadb, startPrivateMariadb } from "./support/private-mariadb.js";

const CONNECT_MS = 1000;
const COMMAND_MS = 1000;
// The documented bound is connectTimeoutMs + commandTimeoutMs; the slack is for a busy machine.
const BOUND_MS = CONNECT_MS + COMMAND_MS + 1500;

let server: PrivateMariadb;
const stores: MysqlStore[] = [];
const unhandled = useCrashSentinel();

beforeAll(async () => {
  server = await startPrivateMariadb();
}, 60_000);
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await server?.destroy();
});

function open(): MysqlStore {
  const store = createMysqlStore({
    url: server.url,
    connectTimeoutMs: CONNECT_MS,
    commandTimeoutMs: COMMAND_MS,
    watchPollMs: 100,
  });
  stores.push(store);
  return store;
}

describe("mysql store through a MariaDB restart", () => {
  it("fails within the bound while the server is down, then works again on the same store; watch goes on", async () => {
    const [watcher, writer] = [open(), open()];
    const heard: string[] = [];
    const stop = watcher.watch(({ key }) => heard.push(key));
    await writer.set("before", { v: 1 });
    await expect.poll(() => heard.includes("before"), { timeout: 5000 }).toBe(true);

    await server.stop();
    try {
      const started = Date.now();
      await expect(writer.get("before")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      const error = await writer.set("during", { v: 2 }).catch((reason: unknown) => reason);
      expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      expect((error as Error).message).toContain(`MySQL 127.0.0.1:${server.port}/test`);
    } finally {
      await server.start();
    }

    expect(await writer.get("before")).toEqual({ v: 1 });
    await writer.set("after", { v: 3 });
    // The watcher's polls failed during the outage and resume by themselves.
    await expect.poll(() => heard.includes("after"), { timeout: 5000 }).toBe(true);
    stop();
    expect(unhandled).toEqual([]);
  }, 60_000);
});
