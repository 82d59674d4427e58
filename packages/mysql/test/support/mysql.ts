import { createPool, type Pool } from "mysql2/promise";

/** The shared test database (root, empty password). */
export const MYSQL_URL = "mysql://root@127.0.0.1:3306/test";

/** A table name no other run uses (letters, digits, underscore; short enough for the suffixes). */
export function uniqueTable(label: string): string {
  return `ss_${label}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** A pool of the test's own, for reading behind the store's back and dropping tables. */
export function testPool(): Pool {
  return createPool({ uri: MYSQL_URL, connectionLimit: 4 });
}

/** Drops the store's tables. */
export async function dropTables(pool: Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS \`${table}\`, \`${table}_locks\`, \`${table}_changes\``);
}
