import { inspect } from "node:util";
import { createPostgresStore } from "@sessionstore/postgres";
import { afterAll, describe, expect, it } from "vitest";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("redact");
const admin = testPool();
afterAll(async () => {
  await dropTables(admin, table);
  await admin.end();
});

describe("postgres store errors never carry the record", () => {
  it("a write refused by the server (PostgreSQL echoes the failing row in `detail`) leaks no token", async () => {
    const store = createPostgresStore({ url: POSTGRES_URL, table });
    try {
      await store.set("warm", { v: 1 });
      // A constraint the record breaks: PostgreSQL answers "Failing row contains (…the whole row…)".
      await admin.query(`ALTER TABLE "${table}" ADD CONSTRAINT small_values CHECK (length(value) < 40)`);
      // Short and early in the record: PostgreSQL cuts each value in `detail` at 64 characters.
      const secret = `tk${globalThis.crypto.randomUUID().slice(0, 8)}`;
      const error = await store.set("k", { t: secret, auth: { accessToken: secret, refreshToken: secret } }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      expect((error as Error).message).toContain("check constraint");
      expect(`${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`).not.toContain(secret);
    } finally {
      await store.close();
    }
  });
});
