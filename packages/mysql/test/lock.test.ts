import { fileURLToPath } from "node:url";
import { createMysqlStore } from "@sessionstore/mysql";
import { describeLockAcrossProcesses } from "@sessionstore/testkit/support";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const table = uniqueTable("lock");
const admin = testPool();

describeLockAcrossProcesses({
  name: "mysql",
  worker: fileURLToPath(new URL("./fixtures/lock-worker.ts", import.meta.url)),
  url: MYSQL_URL,
  table,
  open: () => createMysqlStore({ url: MYSQL_URL, table }),
  cleanup: async () => {
    await dropTables(admin, table);
    await admin.end();
  },
});
