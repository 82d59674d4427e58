import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { walkPages } from "@sessionstore/testkit/support";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("page");
const admin = testPool();
const opened: PostgresStore[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await dropTables(admin, table);
  await admin.end();
});

function open(): PostgresStore {
  const store = createPostgresStore({ url: POSTGRES_URL, table });
  opened.push(store);
  return store;
}

describe("postgres listPage: an index on the key's head", () => {
  it("the table gets the (head, id) index, and pages are read through it", async () => {
    const store = open();
    await store.set("plan:a", { v: 1 });
    const { rows } = await admin.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2",
      [table, `${table}_key_head`],
    );
    expect(rows[0]?.indexdef).toContain(`("left"(key, 256) COLLATE "C", id)`);
    await admin.query("SET enable_seqscan = off");
    const plan = await admin.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT key FROM "${table}" WHERE ((left(key, 256) COLLATE "C"), id) > ('plan:', '\\x'::bytea)
       ORDER BY (left(key, 256) COLLATE "C"), id LIMIT 10`,
    );
    expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n")).toContain(`${table}_key_head`);
  });

  it("keys of 3 kB UTF-8 (beyond a btree entry) are written and walked", async () => {
    const store = open();
    const base = `long-${globalThis.crypto.randomUUID()}:`;
    const keys = ["a", "b", "c"].map((tail) => base + "語".repeat(950) + tail);
    for (const key of keys) await store.set(key, { v: 1 });
    expect((await walkPages(store, base, 1)).sort()).toEqual(keys.sort());
    // A prefix longer than the indexed head still matches exactly.
    expect(await walkPages(store, `${base}${"語".repeat(950)}b`, 2)).toEqual([keys[1]]);
  });

  it("keys sharing their whole head are each walked once (id breaks the tie)", async () => {
    const store = open();
    const head = `tie-${globalThis.crypto.randomUUID()}:`.padEnd(300, "x");
    const keys = Array.from({ length: 12 }, (_, index) => `${head}${index}`);
    for (const key of keys) await store.set(key, { v: 1 });
    for (const limit of [1, 5]) {
      const walked = await walkPages(store, head.slice(0, 40), limit);
      expect(walked).toHaveLength(keys.length);
      expect([...walked].sort()).toEqual([...keys].sort());
    }
  });

  it("a cursor it did not make is ERR_INVALID_ARGUMENT naming options.cursor", async () => {
    const store = open();
    await expect(store.listPage("x", { limit: 1, cursor: "not-a-cursor" })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.cursor",
    });
  });
});
