import pg from "pg";

/** The shared test database (trust auth). */
export const POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";

/** A table name no other run uses (letters, digits, underscore; short enough for the suffixes). */
export function uniqueTable(label: string): string {
  return `ss_${label}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** A pool of the test's own, for reading behind the store's back and dropping tables. */
export function testPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4, allowExitOnIdle: true });
  pool.on("error", () => undefined);
  return pool;
}

/** Drops the store's tables. */
export async function dropTables(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_locks"`);
}

/** How many server backends are LISTENing on the table's channel right now. */
export async function listeners(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND datname = current_database()",
    [`LISTEN "${table}_changes"`],
  );
  return rows[0]?.n ?? 0;
}
