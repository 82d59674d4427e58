import { createMysqlStore, type MysqlStore } from "@sessionstore/mysql";
import { createPool as createCallbackPool } from "mysql2";
import { createPool } from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const table = uniqueTable("pool");
const admin = testPool();
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("mysql store and the pools it uses", () => {
  it("never ends a pool passed in: it stays usable after the store's close(), also after watching", async () => {
    const pool = createPool({ uri: MYSQL_URL, connectionLimit: 3 });
    try {
      const store = createMysqlStore({ pool, table });
      await store.set("shared", { v: 1 });
      const stop = store.watch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop();
      await store.close();
      const [rows] = await pool.query("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      const next = createMysqlStore({ pool, table });
      expect(await next.get("shared")).toEqual({ v: 1 });
      await next.close();
      await pool.query("SELECT 1");
    } finally {
      await pool.end();
    }
  });

  it("takes a callback pool (mysql2's createPool) too, and leaves it open", async () => {
    const pool = createCallbackPool({ uri: MYSQL_URL, connectionLimit: 2 });
    try {
      const store = createMysqlStore({ pool, table });
      await store.set("callback-pool", { v: 3 });
      expect(await store.get("callback-pool")).toEqual({ v: 3 });
      await store.close();
      const [rows] = await pool.promise().query("SELECT 2 AS two");
      expect(rows).toEqual([{ two: 2 }]);
    } finally {
      await pool.promise().end();
    }
  });

  it("each store made from a URL has a pool of its own: closing one leaves the other working", async () => {
    const first: MysqlStore = createMysqlStore({ url: MYSQL_URL, table });
    const second: MysqlStore = createMysqlStore({ url: MYSQL_URL, table });
    await first.set("one-of-two", { v: 2 });
    await first.close();
    await expect(first.get("one-of-two")).rejects.toMatchObject({ code: "ERR_STORE_CLOSED" });
    expect(await second.get("one-of-two")).toEqual({ v: 2 });
    await second.close();
  });

  it("keys are compared as bytes: case, trailing spaces and accents make different records and prefixes", async () => {
    const store = createMysqlStore({ url: MYSQL_URL, table });
    try {
      const base = `bytes-${globalThis.crypto.randomUUID()}:`;
      const keys = [`${base}a`, `${base}A`, `${base}a `, `${base}á`, `${base}${"€".repeat(1024 - base.length)}`];
      for (const [i, k] of keys.entries()) await store.set(k, { i });
      for (const [i, k] of keys.entries()) expect(await store.get(k)).toEqual({ i });
      expect((await store.list(base)).sort()).toEqual([...keys].sort());
      expect(await store.list(`${base}a `)).toEqual([`${base}a `]);
      expect(await store.list(`${base}a`)).toEqual(expect.arrayContaining([`${base}a`, `${base}a `]));
      expect(await store.list(`${base}a`)).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it("refuses bad options, naming the field, before opening anything", () => {
    expect(() => createMysqlStore({ url: MYSQL_URL, table: "x`; DROP TABLE y" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "table" }),
    );
    expect(() => createMysqlStore({ url: "postgres://127.0.0.1/test" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "url" }),
    );
    expect(() => createMysqlStore({ url: MYSQL_URL, table, watchPollMs: -1 })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "watchPollMs" }),
    );
  });
});
