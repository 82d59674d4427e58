import { createHash } from "node:crypto";

/**
 * The SQL of the store, for one table. Every identifier is a validated name,
 * quoted; every value is a bind parameter.
 *
 * Rows are addressed by the SHA-256 of the key (`id`): a btree entry holds at
 * most ~2.7 kB, and a 1024-character key can take 4 kB of UTF-8, so the key
 * itself is kept beside it for `list` but never indexed.
 */
export interface Statements {
  readonly schema: readonly string[];
  readonly get: string;
  readonly set: string;
  readonly delete: string;
  readonly purgeOne: string;
  readonly list: string;
  readonly lock: string;
  readonly unlock: string;
  readonly purgeRecords: string;
  readonly purgeLocks: string;
  readonly channel: string;
  readonly listen: string;
  readonly schemaLockName: string;
}

/** The server's clock in epoch ms: every holder of a lease is judged by one clock, whatever its machine's. */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/** The id of a key (or lock name): SHA-256 of its UTF-8 bytes. */
export function rowId(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** Builds the statements for `table` (already validated as an identifier). */
export function statementsFor(table: string): Statements {
  const records = `"${table}"`;
  const locks = `"${table}_locks"`;
  const channel = `${table}_changes`;
  return {
    schema: [
      `CREATE TABLE IF NOT EXISTS ${records} (id bytea PRIMARY KEY, key text NOT NULL, value text NOT NULL, expires_at bigint)`,
      // A table made by an earlier layout without expiry gets the column (the only migration so far).
      `ALTER TABLE ${records} ADD COLUMN IF NOT EXISTS expires_at bigint`,
      `CREATE INDEX IF NOT EXISTS "${table}_expires" ON ${records} (expires_at) WHERE expires_at IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${locks} (id bytea PRIMARY KEY, token text NOT NULL, expires_at bigint NOT NULL)`,
    ],
    get: `SELECT value, expires_at FROM ${records} WHERE id = $1`,
    // The NOTIFY rides in the same statement, so it is sent exactly when the write commits.
    set: `WITH changed AS (
        INSERT INTO ${records} (id, key, value, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
        RETURNING 1
      ) SELECT pg_notify($5, $6) FROM changed`,
    delete: `WITH gone AS (DELETE FROM ${records} WHERE id = $1 RETURNING expires_at)
      SELECT expires_at, pg_notify($2, $3) FROM gone`,
    purgeOne: `DELETE FROM ${records} WHERE id = $1 AND expires_at <= $2`,
    // left()/length() compare literally: no LIKE, so % and _ in a prefix are plain characters.
    list: `SELECT key FROM ${records} WHERE left(key, length($1)) = $1 AND (expires_at IS NULL OR expires_at > $2)`,
    // Takes the lease when nobody holds it or the holder's lease ran out; RETURNING says who won.
    lock: `INSERT INTO ${locks} (id, token, expires_at) VALUES ($1, $2, ${NOW_MS} + $3)
      ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
      WHERE ${locks}.expires_at <= ${NOW_MS}
      RETURNING token`,
    unlock: `DELETE FROM ${locks} WHERE id = $1 AND token = $2`,
    purgeRecords: `DELETE FROM ${records} WHERE expires_at <= $1`,
    purgeLocks: `DELETE FROM ${locks} WHERE expires_at <= ${NOW_MS}`,
    channel,
    listen: `LISTEN "${channel}"`,
    schemaLockName: `sessionstore schema ${table}`,
  };
}
