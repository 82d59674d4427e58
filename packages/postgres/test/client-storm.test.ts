import { createPostgresStore } from "@sessionstore/postgres";
import { describeRefreshStorm } from "../../client/test/support/storm.js";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("storm");
const admin = testPool();

describeRefreshStorm({
  title: "a PostgreSQL store",
  open: () => createPostgresStore({ url: POSTGRES_URL, table }),
  spec: { kind: "postgres", url: POSTGRES_URL, table },
  cleanup: async () => {
    await dropTables(admin, table);
    await admin.end();
  },
});
