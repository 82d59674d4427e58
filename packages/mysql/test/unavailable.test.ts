import type { SessionStoreError } from "@sessionstore/core";
import { createMysqlStore, type MysqlStore } from "@sessionstore/mysql";
import { closedPort, everythingLogged, expectUnavailable, useCrashSentinel } from "@sessionstore/testkit/support";
import { afterEach, describe, expect, it } from "vitest";
import { uniqueTable } from "./support/mysql.js";

// The documented bound is connectTimeoutMs + commandTimeoutMs; the slack is for a busy machine.
const CONNECT_MS = 1000;
const COMMAND_MS = 1000;
const BOUND_MS = CONNECT_MS + COMMAND_MS + 1500;

const stores: MysqlStore[] = [];
const unhandled = useCrashSentinel();

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function open(url: string): MysqlStore {
  const store = createMysqlStore({
    url,
    table: uniqueTable("down"),
    connectTimeoutMs: CONNECT_MS,
    commandTimeoutMs: COMMAND_MS,
  });
  stores.push(store);
  return store;
}

describe("mysql store whose server cannot be used", () => {
  it("a refused connection fails within the bound, naming host:port/database", async () => {
    const port = await closedPort();
    const store = open(`mysql://root:not-this-one@127.0.0.1:${port}/test`);
    for (const call of [() => store.get("k"), () => store.set("k", { a: 1 }), () => store.list("")]) {
      const error = await expectUnavailable(call, BOUND_MS);
      expect(error.message).toContain(`MySQL 127.0.0.1:${port}/test`);
      expect(everythingLogged(error)).not.toContain("not-this-one");
    }
  });

  it("a wrong password fails within the bound, naming the server and never the password", async () => {
    const wrong = `wrong-${globalThis.crypto.randomUUID()}`;
    const store = open(`mysql://root:${wrong}@127.0.0.1:3306/test`);
    const error = await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(error.message).toContain("MySQL 127.0.0.1:3306/test");
    expect(error.message).toMatch(/Access denied/);
    expect(everythingLogged(error)).not.toContain(wrong);
  });

  it("a wrong URL (a database that does not exist) fails within the bound, naming it", async () => {
    const store = open("mysql://root@127.0.0.1:3306/no_such_database_here");
    const error = await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(error.message).toContain("MySQL 127.0.0.1:3306/no_such_database_here");
  });

  it("a malformed URL is refused at once as ERR_INVALID_ARGUMENT naming the field, without echoing it", () => {
    let caught: unknown;
    try {
      createMysqlStore({ url: "mysql://root:hunter2-secret@[not-a-host/test" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "url" });
    expect(everythingLogged(caught as SessionStoreError)).not.toContain("hunter2-secret");
  });

  it("a failed warm-up leaves no unhandled rejection; the first call reports it", async () => {
    const port = await closedPort();
    const store = open(`mysql://root@127.0.0.1:${port}/test`);
    // Longer than the warm-up's own bound: it has failed by now, with nobody awaiting it.
    await new Promise((resolve) => setTimeout(resolve, CONNECT_MS + COMMAND_MS + 200));
    await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(unhandled).toEqual([]);
  });
});
