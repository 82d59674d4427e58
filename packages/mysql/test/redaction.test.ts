import { inspect } from "node:util";
import { createMysqlStore } from "@sessionstore/mysql";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const table = uniqueTable("redact");
const admin = testPool();
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("mysql store errors never carry the record", () => {
  it("a failed write (mysql2 attaches the statement with its values as `sql`) leaks no token", async () => {
    const store = createMysqlStore({ url: MYSQL_URL, table });
    try {
      await store.set("warm", { v: 1 });
      // The table vanishes behind the store's back: the INSERT fails with the record interpolated in `sql`.
      await admin.query(`DROP TABLE \`${table}\``);
      const secret = `secret-refresh-${globalThis.crypto.randomUUID()}`;
      const error = await store.set("k", { auth: { accessToken: secret, refreshToken: secret } }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      expect((error as Error).message).toContain("doesn't exist");
      expect(`${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`).not.toContain(secret);
    } finally {
      await store.close();
    }
  });
});
