import { createHash } from "node:crypto";

/**
 * The SQL of the store, for one table. Every identifier is a validated name,
 * quoted; every value is a bind parameter.
 *
 * Rows are addressed by the SHA-256 of the key (`id`): InnoDB indexes at most
 * 3072 bytes, and comparing keys as binary avoids the collations' traps (a
 * case-insensitive collation would merge `A` and `a`; a PAD SPACE one would
 * merge `a` and `a `). The key's UTF-8 bytes are kept beside it for `list`.
 */
export interface Statements {
  readonly schema: readonly string[];
  readonly get: string;
  readonly set: string;
  readonly deleteLive: string;
  readonly deleteAny: string;
  readonly purgeOne: string;
  readonly list: string;
  /** `listPage`'s keyset query; with `bounded`, the prefix's range has an end ({@link prefixUpperBound}). */
  listPage(bounded: boolean): string;
  /** Whether the key index exists (a table made before `listPage` lacks it); and its creation. */
  readonly keyIndexExists: string;
  readonly createKeyIndex: string;
  readonly keyIndexName: string;
  readonly lock: string;
  readonly lockHolder: string;
  readonly unlock: string;
  /** Renews the lease only while the token holds it (whether it did is read from the row: see `lockHolder`). */
  readonly extendLock: string;
  readonly purgeRecords: string;
  readonly purgeLocks: string;
  readonly logChange: string;
  readonly purgeChanges: string;
  readonly recentChanges: string;
  readonly changesSince: string;
}

/** The server's clock in epoch ms (time-zone free): every lease holder is judged by one clock. */
const NOW_MS = "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)";

/** The id of a key (or lock name): SHA-256 of its UTF-8 bytes. */
export function rowId(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** Builds the statements for `table` (already validated as an identifier). */
export function statementsFor(table: string): Statements {
  const records = `\`${table}\``;
  const locks = `\`${table}_locks\``;
  const changes = `\`${table}_changes\``;
  return {
    schema: [
      `CREATE TABLE IF NOT EXISTS ${records} (
        id BINARY(32) NOT NULL PRIMARY KEY,
        k VARBINARY(3072) NOT NULL,
        v LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        expires_at BIGINT NULL,
        KEY \`${table}_expires\` (expires_at)
      ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS ${locks} (
        id BINARY(32) NOT NULL PRIMARY KEY,
        token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        expires_at BIGINT NOT NULL
      ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS ${changes} (
        seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        k VARBINARY(3072) NOT NULL,
        origin VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        at BIGINT NOT NULL,
        KEY \`${table}_changes_at\` (at)
      ) ENGINE=InnoDB`,
    ],
    get: `SELECT v, expires_at FROM ${records} WHERE id = ?`,
    set: `INSERT INTO ${records} (id, k, v, expires_at) VALUES (?, ?, ?, ?)
      ON DUPLICATE KEY UPDATE v = VALUES(v), expires_at = VALUES(expires_at)`,
    deleteLive: `DELETE FROM ${records} WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)`,
    deleteAny: `DELETE FROM ${records} WHERE id = ?`,
    purgeOne: `DELETE FROM ${records} WHERE id = ? AND expires_at <= ?`,
    // Binary LEFT()/LENGTH() compare bytes literally: no LIKE, no collation.
    list: `SELECT k FROM ${records} WHERE LEFT(k, ?) = ? AND (expires_at IS NULL OR expires_at > ?)`,
    // Keyset pages in byte order: the range [prefix, end) and ORDER BY k are served by
    // the index on k, so a page reads about `limit` index entries, not the table.
    // One lower bound, where the page starts (the prefix, then just past the cursor), so
    // the index is entered there, never at the prefix's start with the keys before skipped.
    listPage: (bounded) => `SELECT k FROM ${records}
      WHERE k >= ? ${bounded ? "AND k < ?" : ""} AND LEFT(k, ?) = ?
        AND (expires_at IS NULL OR expires_at > ?)
      ORDER BY k LIMIT ?`,
    keyIndexExists: `SELECT 1 FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1`,
    // The primary key is on id (a hash: no key order), so listPage needs its own index on k.
    // A whole-key index fits: k is at most 3072 bytes, InnoDB's limit; id rides along in it.
    // Separate from CREATE TABLE, which needs no change for the tables made before it:
    // MySQL has no CREATE INDEX IF NOT EXISTS, so the store looks first (keyIndexExists).
    createKeyIndex: `CREATE INDEX \`${table}_k\` ON ${records} (k)`,
    keyIndexName: `${table}_k`,
    // Takes the lease when nobody holds it or the holder's lease ran out. Assignments
    // run left to right, so the second IF still sees the old expires_at.
    lock: `INSERT INTO ${locks} (id, token, expires_at) VALUES (?, ?, ${NOW_MS} + ?)
      ON DUPLICATE KEY UPDATE
        token = IF(expires_at <= ${NOW_MS}, VALUES(token), token),
        expires_at = IF(expires_at <= ${NOW_MS}, VALUES(expires_at), expires_at)`,
    // affectedRows cannot say who won (it depends on the client's FOUND_ROWS flag): the row can.
    lockHolder: `SELECT token FROM ${locks} WHERE id = ?`,
    unlock: `DELETE FROM ${locks} WHERE id = ? AND token = ?`,
    extendLock: `UPDATE ${locks} SET expires_at = ${NOW_MS} + ? WHERE id = ? AND token = ?`,
    purgeRecords: `DELETE FROM ${records} WHERE expires_at <= ?`,
    purgeLocks: `DELETE FROM ${locks} WHERE expires_at <= ${NOW_MS}`,
    logChange: `INSERT INTO ${changes} (k, origin, at) VALUES (?, ?, ?)`,
    purgeChanges: `DELETE FROM ${changes} WHERE at < ?`,
    recentChanges: `SELECT seq, k, origin, at FROM ${changes} ORDER BY seq DESC LIMIT ?`,
    changesSince: `SELECT seq, k, origin, at FROM ${changes} WHERE seq > ? ORDER BY seq LIMIT 1000`,
  };
}
