import { createMysqlStore } from "@sessionstore/mysql";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";
import { refreshStorm } from "./support/storm.js";

const table = uniqueTable("storm");
const admin = testPool();
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("8 processes sharing a MySQL (MariaDB) store, expired token, rotating refresh tokens with reuse detection", () => {
  it("25 requests each: exactly 1 token call, 0 invalid_grant, every request succeeds", async () => {
    const store = createMysqlStore({ url: MYSQL_URL, table });
    try {
      const result = await refreshStorm(store, { kind: "mysql", url: MYSQL_URL, table }, 8, 25);
      expect(result.failures).toEqual([]);
      expect(result.ok).toBe(8 * 25);
      expect(result.tokenCalls).toBe(1);
      expect(result.invalidGrant).toBe(0);
      expect(result.reuseDetected).toBe(0);
      expect(result.events.filter((event) => event === "refreshed")).toHaveLength(1);
      // The other seven adopt the new pair (some more than once: the early-refresh and the 401 paths).
      expect(result.events.filter((event) => event !== "refreshed" && event !== "adopted")).toEqual([]);
      expect(result.events.filter((event) => event === "adopted").length).toBeGreaterThanOrEqual(7);
    } finally {
      await store.close();
    }
  }, 120_000);
});
