import { createHash } from "node:crypto";
import { createMysqlStore, type MysqlStore } from "@sessionstore/mysql";
import { describeSessionStore } from "@sessionstore/testkit";
import { closedPort } from "@sessionstore/testkit/support";
import { afterAll } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

// Every store the suite opens shares one table of this run (keys are random).
const table = uniqueTable("conf");
const admin = testPool();
const deadPort = await closedPort();
const id = (key: string) => createHash("sha256").update(key, "utf8").digest();

afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describeSessionStore("mysql", () => createMysqlStore({ url: MYSQL_URL, table }), {
  inspect: async (store, key) => {
    const [rows] = await admin.query(`SELECT v FROM \`${(store as MysqlStore).table}\` WHERE id = ?`, [id(key)]);
    return (rows as Array<{ v: string }>)[0]?.v;
  },
  corrupt: async (store, key) => {
    await admin.query(
      `INSERT INTO \`${(store as MysqlStore).table}\` (id, k, v) VALUES (?, ?, '{"expiresAt":null,"record":{')
       ON DUPLICATE KEY UPDATE v = VALUES(v)`,
      [id(key), Buffer.from(key, "utf8")],
    );
  },
  unavailable: () =>
    createMysqlStore({ url: `mysql://root@127.0.0.1:${deadPort}/test`, table, connectTimeoutMs: 1000 }),
});
