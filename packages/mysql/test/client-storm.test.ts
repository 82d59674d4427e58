import { createMysqlStore } from "@sessionstore/mysql";
import { describeRefreshStorm } from "../../client/test/support/storm.js";
import { dropTables, MYSQL_URL, testPool, uniqueTable } from "./support/mysql.js";

const table = uniqueTable("storm");
const admin = testPool();

describeRefreshStorm({
  title: "a MySQL (MariaDB) store",
  open: () => createMysqlStore({ url: MYSQL_URL, table }),
  spec: { kind: "mysql", url: MYSQL_URL, table },
  cleanup: async () => {
    await dropTables(admin, table);
    await admin.end();
  },
});
