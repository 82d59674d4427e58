import { createMysqlStore, type MysqlStore } from "@sessionstore/mysql";
import { walkPages } from "@sessionstore/testkit/support";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const admin = testPool();
const opened: MysqlStore[] = [];
const tables: string[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  for (const table of tables) await dropTables(admin, table);
  await admin.end();
});

function open(table: string): MysqlStore {
  const store = createMysqlStore({ url: MYSQL_URL, table });
  opened.push(store);
  return store;
}

function freshTable(): string {
  const table = uniqueTable("page");
  tables.push(table);
  return table;
}

describe("mysql listPage: an index on the key", () => {
  it("stores racing to open a new table all start, and the table gets one index on k, used by a page", async () => {
    const table = freshTable();
    const stores = Array.from({ length: 4 }, () => open(table));
    await Promise.all(stores.map((store, index) => store.set(`race:${index}`, { v: 1 })));
    const [indexes] = await admin.query(
      "SELECT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND column_name = 'k'",
      [table],
    );
    expect(indexes).toEqual([{ name: `${table}_k` }]);
    const [plan] = await admin.query(`EXPLAIN SELECT k FROM \`${table}\` WHERE k >= ? AND k < ? ORDER BY k LIMIT 10`, [
      Buffer.from("race:"),
      Buffer.from("race;"),
    ]);
    // The index is the one chosen (not merely possible), and it gives the order (no filesort).
    expect(plan).toMatchObject([{ key: `${table}_k` }]);
    expect(JSON.stringify(plan)).not.toContain("filesort");
    expect((await walkPages(stores[0] as MysqlStore, "race:", 3)).sort()).toEqual([
      "race:0",
      "race:1",
      "race:2",
      "race:3",
    ]);
  });

  it("the longest key (1024 characters, 3072 bytes of UTF-8) is written and walked", async () => {
    const store = open(freshTable());
    const base = "long:";
    const keys = ["a", "b"].map((tail) => base + tail + "語".repeat(1024 - base.length - 1));
    for (const key of keys) await store.set(key, { v: 1 });
    expect(await walkPages(store, base, 1)).toEqual(keys.sort());
  });
});
