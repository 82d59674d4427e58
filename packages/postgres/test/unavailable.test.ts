import type { SessionStoreError } from "@sessionstore/core";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { closedPort, everythingLogged, expectUnavailable, useCrashSentinel } from "@sessionstore/testkit/support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { uniqueTable } from "./support/postgres.js";
import { type PrivatePostgres, startPrivatePostgres } from "./support/private-postgres.js";

// The documented bound is connectTimeoutMs + commandTimeoutMs; the slack is for a busy machine.
const CONNECT_MS = 1000;
const COMMAND_MS = 1000;
const BOUND_MS = CONNECT_MS + COMMAND_MS + 1500;

const stores: PostgresStore[] = [];
const unhandled = useCrashSentinel();
let server: PrivatePostgres;

beforeAll(async () => {
  server = await startPrivatePostgres();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await server?.destroy();
});

function open(url: string): PostgresStore {
  const store = createPostgresStore({
    url,
    table: uniqueTable("down"),
    connectTimeoutMs: CONNECT_MS,
    commandTimeoutMs: COMMAND_MS,
  });
  stores.push(store);
  return store;
}

describe("postgres store whose server cannot be used", () => {
  it("a refused connection fails within the bound, naming host:port/database", async () => {
    const port = await closedPort();
    const store = open(`postgresql://postgres:not-this-one@127.0.0.1:${port}/test`);
    for (const call of [() => store.get("k"), () => store.set("k", { a: 1 }), () => store.list("")]) {
      const error = await expectUnavailable(call, BOUND_MS);
      expect(error.message).toContain(`PostgreSQL 127.0.0.1:${port}/test`);
      expect(everythingLogged(error)).not.toContain("not-this-one");
    }
  });

  it("a wrong password fails within the bound, naming the server and never the password", async () => {
    const wrong = `wrong-${globalThis.crypto.randomUUID()}`;
    const store = open(`postgresql://postgres:${wrong}@127.0.0.1:${server.port}/postgres`);
    const error = await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(error.message).toContain(`PostgreSQL 127.0.0.1:${server.port}/postgres`);
    expect(error.message).toMatch(/password authentication failed/);
    expect(everythingLogged(error)).not.toContain(wrong);
    expect(everythingLogged(error)).not.toContain(server.password);
  });

  it("a wrong URL (a database that does not exist) fails within the bound, naming it", async () => {
    const store = open("postgresql://postgres@127.0.0.1:5432/no_such_database_here");
    const error = await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(error.message).toContain("PostgreSQL 127.0.0.1:5432/no_such_database_here");
  });

  it("a malformed URL is refused at once as ERR_INVALID_ARGUMENT naming the field, without echoing it", () => {
    let caught: unknown;
    try {
      createPostgresStore({ url: "postgresql://postgres:hunter2-secret@[not-a-host/test" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "url" });
    expect(everythingLogged(caught as SessionStoreError)).not.toContain("hunter2-secret");
  });

  it("a failed warm-up leaves no unhandled rejection; the first call reports it", async () => {
    const port = await closedPort();
    const store = open(`postgresql://postgres@127.0.0.1:${port}/test`);
    // Longer than the warm-up's own bound: it has failed by now, with nobody awaiting it.
    await new Promise((resolve) => setTimeout(resolve, CONNECT_MS + COMMAND_MS + 200));
    await expectUnavailable(() => store.get("k"), BOUND_MS);
    expect(unhandled).toEqual([]);
  });

  it("during an outage calls fail within the bound; after it the same store works again", async () => {
    const store = open(server.url);
    await store.set("before", { v: 1 });
    await server.stop();
    try {
      const error = await expectUnavailable(() => store.get("before"), BOUND_MS);
      expect(error.message).toContain(`127.0.0.1:${server.port}/postgres`);
      expect(everythingLogged(error)).not.toContain(server.password);
    } finally {
      await server.start();
    }
    expect(await store.get("before")).toEqual({ v: 1 });
    expect(unhandled).toEqual([]);
  });
});
