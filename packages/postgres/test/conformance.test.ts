import { createHash } from "node:crypto";
import { createPostgresStore, type PostgresStore } from "@sessionstore/postgres";
import { describeSessionStore } from "@sessionstore/testkit";
import { closedPort } from "@sessionstore/testkit/support";
import { afterAll } from "vitest";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

// Every store the suite opens shares one table of this run (keys are random).
const table = uniqueTable("conf");
const admin = testPool();
const deadPort = await closedPort();
const id = (key: string) => createHash("sha256").update(key, "utf8").digest();

afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describeSessionStore("postgres", () => createPostgresStore({ url: POSTGRES_URL, table }), {
  inspect: async (store, key) => {
    const { rows } = await admin.query(`SELECT value FROM "${(store as PostgresStore).table}" WHERE id = $1`, [
      id(key),
    ]);
    return (rows[0] as { value: string } | undefined)?.value;
  },
  corrupt: async (store, key) => {
    await admin.query(
      `INSERT INTO "${(store as PostgresStore).table}" (id, key, value) VALUES ($1, $2, '{"expiresAt":null,"record":{')
       ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value`,
      [id(key), key],
    );
  },
  unavailable: () =>
    createPostgresStore({ url: `postgresql://postgres@127.0.0.1:${deadPort}/test`, table, connectTimeoutMs: 1000 }),
});
