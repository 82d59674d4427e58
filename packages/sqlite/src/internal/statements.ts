import { decodeEnvelope, isExpired } from "@sessionstore/core";
import type { Database } from "./database.js";
import { envelopeTextOf } from "./envelope.js";

/**
 * The statements the store runs itself, beside Keyv's get/set. Each is one
 * statement, so SQLite makes it atomic: no select-then-write races between
 * processes. Prefixes are compared with `substr`, never `LIKE` (@keyv/sqlite's
 * `clear()` and iterator use an unescaped `LIKE`, where `%` and `_` match
 * anything).
 */

function rowsOf<K extends string>(rows: unknown[], ...columns: K[]): Array<Record<K, unknown>> {
  return rows.filter(
    (row): row is Record<K, unknown> =>
      typeof row === "object" && row !== null && columns.every((column) => column in row),
  );
}

/**
 * Whether a `value` column holds a live record. A row that cannot be decoded
 * counts as live: `get` reports it as corrupt, and `list`/`delete` must show
 * and remove it so it can be cleared.
 */
export function isLiveValue(value: unknown, key: string, at: number): boolean {
  try {
    const entry: unknown = JSON.parse(String(value));
    return !isExpired(decodeEnvelope(envelopeTextOf(entry, key), key).expiresAt, at);
  } catch {
    return true;
  }
}

/** Keys of the live records starting with `prefix`, compared literally. */
export async function listKeys(db: Database, table: string, prefix: string, at: number): Promise<string[]> {
  const rows = rowsOf(
    await db.query(`SELECT key, value FROM ${table} WHERE substr(key, 1, length(?1)) = ?1`, [prefix]),
    "key",
    "value",
  );
  const keys: string[] = [];
  for (const row of rows) {
    if (typeof row.key === "string" && isLiveValue(row.value, row.key, at)) keys.push(row.key);
  }
  return keys;
}

/** Deletes the record at `key`; `true` when a live (or corrupt) record was there. */
export async function deleteRecord(db: Database, table: string, key: string, at: number): Promise<boolean> {
  const rows = rowsOf(await db.query(`DELETE FROM ${table} WHERE key = ?1 RETURNING value`, [key]), "value");
  return rows.some((row) => isLiveValue(row.value, key, at));
}

/**
 * Deletes records whose `expiresAt` has passed, and lock rows whose lease
 * ended. The nested CASEs only reach `json_extract` on text that is valid
 * JSON (it raises an error otherwise); corrupt rows are left for a human.
 * @returns how many records were deleted.
 */
export async function purgeExpired(db: Database, table: string, at: number): Promise<number> {
  const deleted = await db.query(
    `DELETE FROM ${table} WHERE
      CASE WHEN json_valid(value) THEN
        CASE WHEN json_type(value, '$.value') = 'text' THEN
          CASE WHEN json_valid(json_extract(value, '$.value')) THEN
            json_extract(json_extract(value, '$.value'), '$.expiresAt') <= ?1
          END
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

/** Frees `name` only if `token` still holds it (a lease that ran out may have passed to someone else). */
export async function releaseLock(db: Database, table: string, name: string, token: string): Promise<void> {
  await db.query(`DELETE FROM ${table}_locks WHERE name = ?1 AND token = ?2`, [name, token]);
}

/** Frees every lock in `held` (token → name) still held by its token. */
export async function releaseLocks(db: Database, table: string, held: ReadonlyMap<string, string>): Promise<void> {
  for (const [token, name] of held) await releaseLock(db, table, name, token);
}
