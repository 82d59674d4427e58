export type { MysqlStore } from "./mysql-store.js";
export { createMysqlStore } from "./mysql-store.js";
export type { MysqlCallbackPool, MysqlPool, MysqlPoolConnection, MysqlStoreOptions } from "./options.js";
export { DEFAULT_MYSQL_TABLE } from "./options.js";
