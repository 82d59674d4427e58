import { fileURLToPath } from "node:url";
import { createPostgresStore } from "@sessionstore/postgres";
import { describeLockAcrossProcesses } from "@sessionstore/testkit/support";
import { dropTables, POSTGRES_URL, testPool, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("lock");
const admin = testPool();

describeLockAcrossProcesses({
  name: "postgres",
  worker: fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url)),
  url: POSTGRES_URL,
  table,
  open: () => createPostgresStore({ url: POSTGRES_URL, table }),
  cleanup: async () => {
    await dropTables(admin, table);
    await admin.end();
  },
});
