import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { waitUntil } from "@sessionstore/testkit/support";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, listeners, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("pool");
const admin = testPool();
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("postgres store and the pools it uses", () => {
  it("never ends a pool passed in: it stays usable after the store's close(), also after watching", async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    pool.on("error", () => undefined);
    try {
      const store = createPostgresStore({ pool, table });
      await store.set("shared", { v: 1 });
      const stop = store.watch(() => undefined);
      await waitUntil(async () => (await listeners(admin, table)) === 1, 10_000, "the LISTEN connection");
      stop();
      await store.close();
      expect(pool.ended).toBe(false);
      const { rows } = await pool.query<{ one: number }>("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      // A second store on the same pool works, and sees what the first wrote.
      const next = createPostgresStore({ pool, table });
      expect(await next.get("shared")).toEqual({ v: 1 });
      await next.close();
      expect(pool.ended).toBe(false);
    } finally {
      await pool.end();
    }
  });

  it("a connection the store checks out listens for errors while it is out (a server restart must not crash the process)", async () => {
    // node-postgres emits "error" on a checked-out client whose server ends the connection, and the pool
    // stops listening while the client is out: a client without a listener then throws an uncaught
    // "terminating connection due to administrator command" (seen once under load, in a restart test).
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    pool.on("error", () => undefined);
    const unguarded: string[] = [];
    let checkouts = 0;
    const observed = {
      query: pool.query.bind(pool),
      end: () => pool.end(),
      async connect() {
        const client = await pool.connect();
        checkouts += 1;
        // Observed on this checkout only: the pool hands the same client to pool.query later.
        const guarded = { listening: true };
        const original = client.release.bind(client);
        return Object.assign(Object.create(client) as typeof client, {
          query: (text: string, values?: unknown[]) => {
            if (guarded.listening && client.listenerCount("error") === 0) unguarded.push(text);
            return client.query(text, values);
          },
          release: (destroy?: boolean) => {
            guarded.listening = false;
            original(destroy);
          },
        });
      },
    };
    try {
      const store = createPostgresStore({ pool: observed, table });
      await store.set("guarded", { v: 1 });
      const stop = store.watch(() => undefined);
      await waitUntil(async () => (await listeners(admin, table)) === 1, 10_000, "the LISTEN connection");
      stop();
      await store.close();
      expect(checkouts).toBeGreaterThanOrEqual(2);
      expect(unguarded).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it("each store made from a URL has a pool of its own: closing one leaves the other working", async () => {
    const first: PostgresStore = createPostgresStore({ url: POSTGRES_URL, table });
    const second: PostgresStore = createPostgresStore({ url: POSTGRES_URL, table });
    await first.set("one-of-two", { v: 2 });
    await first.close();
    await expect(first.get("one-of-two")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    expect(await second.get("one-of-two")).toEqual({ v: 2 });
    await second.close();
  });

  it("refuses bad options, naming the field, before opening anything", () => {
    expect(() => createPostgresStore({ url: POSTGRES_URL, table: "x; DROP TABLE y" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "table" }),
    );
    expect(() => createPostgresStore({ url: "mysql://127.0.0.1/test" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "url" }),
    );
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    expect(() => createPostgresStore({ url: POSTGRES_URL, pool })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "options" }),
    );
    expect(() => createPostgresStore({ url: POSTGRES_URL, table, connectTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "connectTimeoutMs" }),
    );
    void pool.end();
  });
});
