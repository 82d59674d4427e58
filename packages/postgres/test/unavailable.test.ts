import { inspect } from "node:util";
import { isSessionStoreError, type SessionStoreError } from "@sessionstore/core";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { closedPort } from "@sessionstore/testkit/support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { uniqueTable } from "./support/postgres.js";
import { type PrivatePostgres, startPrivatePostgres } from "./support/private-postgres.js";

// The documented bound is connectTimeoutMs + commandTimeoutMs; the slack is for a busy machine.
const CONNECT_MS = 1000;
const COMMAND_MS = 1000;
const BOUND_MS = CONNECT_MS + COMMAND_MS + 1500;

const stores: PostgresStore[] = [];
const unhandled: unknown[] = [];
const sentinel = (reason: unknown) => unhandled.push(reason);
let server: PrivatePostgres;

beforeAll(async () => {
  process.on("unhandledRejection", sentinel);
  server = await startPrivatePostgres();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  process.off("unhandledRejection", sentinel);
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

/** Runs `call`, expecting ERR_STORE_UNAVAILABLE within the bound; returns the error. */
async function failure(call: () => Promise<unknown>): Promise<SessionStoreError> {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(Date.now() - started).toBeLessThan(BOUND_MS);
  if (!isSessionStoreError(error, "ERR_STORE_UNAVAILABLE"))
    throw new Error(`expected ERR_STORE_UNAVAILABLE, got ${inspect(error)}`);
  return error;
}

/** Everything a log could show of the error. */
function everything(error: SessionStoreError): string {
  return `${error.message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10 })}`;
}

describe("postgres store whose server cannot be used", () => {
  it("a refused connection fails within the bound, naming host:port/database", async () => {
    const port = await closedPort();
    const store = open(`postgresql://postgres:not-this-one@127.0.0.1:${port}/test`);
    for (const call of [() => store.get("k"), () => store.set("k", { a: 1 }), () => store.list("")]) {
      const error = await failure(call);
      expect(error.message).toContain(`PostgreSQL 127.0.0.1:${port}/test`);
      expect(everything(error)).not.toContain("not-this-one");
    }
  });

  it("a wrong password fails within the bound, naming the server and never the password", async () => {
    const wrong = `wrong-${globalThis.crypto.randomUUID()}`;
    const store = open(`postgresql://postgres:${wrong}@127.0.0.1:${server.port}/postgres`);
    const error = await failure(() => store.get("k"));
    expect(error.message).toContain(`PostgreSQL 127.0.0.1:${server.port}/postgres`);
    expect(error.message).toMatch(/password authentication failed/);
    expect(everything(error)).not.toContain(wrong);
    expect(everything(error)).not.toContain(server.password);
  });

  it("a wrong URL (a database that does not exist) fails within the bound, naming it", async () => {
    const store = open("postgresql://postgres@127.0.0.1:5432/no_such_database_here");
    const error = await failure(() => store.get("k"));
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
    expect(everything(caught as SessionStoreError)).not.toContain("hunter2-secret");
  });

  it("a failed warm-up leaves no unhandled rejection; the first call reports it", async () => {
    const port = await closedPort();
    const store = open(`postgresql://postgres@127.0.0.1:${port}/test`);
    // Longer than the warm-up's own bound: it has failed by now, with nobody awaiting it.
    await new Promise((resolve) => setTimeout(resolve, CONNECT_MS + COMMAND_MS + 200));
    await failure(() => store.get("k"));
    expect(unhandled).toEqual([]);
  });

  it("during an outage calls fail within the bound; after it the same store works again", async () => {
    const store = open(server.url);
    await store.set("before", { v: 1 });
    await server.stop();
    try {
      const error = await failure(() => store.get("before"));
      expect(error.message).toContain(`127.0.0.1:${server.port}/postgres`);
      expect(everything(error)).not.toContain(server.password);
    } finally {
      await server.start();
    }
    expect(await store.get("before")).toEqual({ v: 1 });
    expect(unhandled).toEqual([]);
  });
});
