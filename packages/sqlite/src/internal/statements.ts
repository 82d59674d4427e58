import { prefixUpperBound } from "@sessionstore/core/adapter";
import type { Database } from "./database.js";
import { envelopeText } from "./envelope.js";

/**
 * The store's statements. Each is one statement, so SQLite makes it atomic:
 * no select-then-write races between processes. Prefixes are compared with
 * `substr`, never `LIKE` (where `%` and `_` match anything).
 */

function rowsOf<K extends string>(rows: unknown[], ...columns: K[]): Array<Record<K, unknown>> {
  return rows.filter(
    (row): row is Record<K, unknown> =>
      typeof row === "object" && row !== null && columns.every((column) => column in row),
  );
}

/** The envelope text at `key`, or `undefined` when there is no row. */
export async function readValue(db: Database, table: string, key: string): Promise<string | undefined> {
  const [row] = rowsOf(await db.query(`SELECT value FROM ${table} WHERE key = ?1`, [key]), "value");
  return row === undefined ? undefined : envelopeText(row.value);
}

/** Writes the envelope `text` at `key`, replacing what was there. */
export async function writeValue(db: Database, table: string, key: string, text: string): Promise<void> {
  await db.query(
    `INSERT INTO ${table} (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, text],
  );
}

/** Deletes the row at `key`; resolves the envelope text it held, or `undefined` when there was none. */
export async function deleteValue(db: Database, table: string, key: string): Promise<string | undefined> {
  const [row] = rowsOf(await db.query(`DELETE FROM ${table} WHERE key = ?1 RETURNING value`, [key]), "value");
  return row === undefined ? undefined : envelopeText(row.value);
}

/** Keys starting with `prefix` (compared literally), with their envelope text. */
export async function listValues(db: Database, table: string, prefix: string): Promise<Array<[string, string]>> {
  const rows = await db.query(`SELECT key, value FROM ${table} WHERE substr(key, 1, length(?1)) = ?1`, [prefix]);
  const entries: Array<[string, string]> = [];
  for (const row of rowsOf(rows, "key", "value")) {
    if (typeof row.key === "string") entries.push([row.key, envelopeText(row.value)]);
  }
  return entries;
}

/**
 * One keyset page of {@link listValues}: up to `limit` rows after `cursor` (the
 * last key of the previous page), in key order. The key's primary-key index
 * (BINARY collation: UTF-8 byte order) serves `ORDER BY key` and the range
 * `[prefix, bound)`, so a page reads about `limit` rows, not the table.
 * `cursor` is the next page's: `undefined` once fewer than `limit` rows came.
 */
export async function listValuesPage(
  db: Database,
  table: string,
  prefix: string,
  page: { readonly cursor: string | undefined; readonly limit: number },
): Promise<{ entries: Array<[string, string]>; cursor: string | undefined }> {
  const bound = prefixUpperBound(prefix);
  // One lower bound only: given `key >= prefix AND key > cursor`, SQLite seeks to the
  // prefix and steps over every key before the cursor, so a walk would cost O(n²).
  const from = page.cursor === undefined ? "key >= ?1" : "key > ?2";
  const rows = await db.query(
    `SELECT key, value FROM ${table}
     WHERE ${from} ${bound === undefined ? "" : "AND key < ?4"} AND substr(key, 1, length(?1)) = ?1
     ORDER BY key LIMIT ?3`,
    [prefix, page.cursor ?? "", page.limit, ...(bound === undefined ? [] : [bound])],
  );
  const entries: Array<[string, string]> = [];
  for (const row of rowsOf(rows, "key", "value")) {
    if (typeof row.key === "string") entries.push([row.key, envelopeText(row.value)]);
  }
  const last = entries.at(-1);
  return { entries, cursor: rows.length === page.limit && last ? last[0] : undefined };
}

/**
 * Deletes records whose `expiresAt` has passed, and lock rows whose lease
 * ended. `json_extract` raises an error on text that is not JSON, so it is
 * only reached through `json_valid`; corrupt rows are left for a human. A row
 * of 0.1.0 holds the envelope as a string inside a Keyv entry, hence the
 * second branch.
 * @returns how many records were deleted.
 */
export async function purgeExpired(db: Database, table: string, at: number): Promise<number> {
  const deleted = await db.query(
    `DELETE FROM ${table} WHERE
      CASE WHEN json_valid(value) THEN
        CASE WHEN json_type(value, '$.record') = 'object' THEN json_extract(value, '$.expiresAt') <= ?1
        WHEN json_type(value, '$.value') = 'text' AND json_valid(json_extract(value, '$.value')) THEN
          json_extract(json_extract(value, '$.value'), '$.expiresAt') <= ?1
        END
      END
    RETURNING key`,
    [at],
  );
  await db.query(`DELETE FROM ${table}_locks WHERE expires_at <= ?1`, [at]);
  return deleted.length;
}

/**
 * Takes the lock `name` for `token` when it is free or its lease has ended,
 * in one statement: the insert, or the update of an expired row, either
 * happens for this token or not at all.
 */
export async function tryAcquireLock(
  db: Database,
  table: string,
  lock: { name: string; token: string; expiresAt: number; at: number },
): Promise<boolean> {
  const rows = rowsOf(
    await db.query(
      `INSERT INTO ${table}_locks (name, token, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
       WHERE ${table}_locks.expires_at <= ?4
       RETURNING token`,
      [lock.name, lock.token, lock.expiresAt, lock.at],
    ),
    "token",
  );
  return rows.some((row) => row.token === lock.token);
}

/** Renews the lease of `name` only while `token` still holds it; `true` when it did. */
export async function extendLock(
  db: Database,
  table: string,
  lock: { name: string; token: string; expiresAt: number },
): Promise<boolean> {
  const rows = rowsOf(
    await db.query(`UPDATE ${table}_locks SET expires_at = ?3 WHERE name = ?1 AND token = ?2 RETURNING token`, [
      lock.name,
      lock.token,
      lock.expiresAt,
    ]),
    "token",
  );
  return rows.length === 1;
}

/** Frees `name` only if `token` still holds it (a lease that ran out may have passed to someone else). */
export async function releaseLock(db: Database, table: string, name: string, token: string): Promise<void> {
  await db.query(`DELETE FROM ${table}_locks WHERE name = ?1 AND token = ?2`, [name, token]);
}
