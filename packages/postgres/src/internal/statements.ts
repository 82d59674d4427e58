import * as crypto from "node:crypto";

/**
 * A statement node-postgres prepares once per connection and then only binds
 * (`{ name, text }`): the server skips parsing and planning on every later
 * call, which for a one-row read is about half its time on a local server.
 * The name is a hash of the text, so one name always means one text (pg
 * refuses a name reused with another text on a connection) and it stays
 * under PostgreSQL's 63-byte limit whatever the table is called.
 */
export interface Prepared {
  readonly name: string;
  readonly text: string;
}

/**
 * The SQL of the store, for one table. Every identifier is a validated name,
 * quoted; every value is a bind parameter.
 *
 * Rows are addressed by the SHA-256 of the key (`id`): a btree entry holds at
 * most ~2.7 kB, and a 1024-character key can take 4 kB of UTF-8, so the key
 * itself is kept beside it for `list`, indexed only by its head (see
 * {@link KEY_HEAD_CHARS}).
 */
export interface Statements {
  readonly schema: readonly string[];
  readonly get: Prepared;
  /** The upsert with its NOTIFY in one statement: `[id, key, value, expires_at, channel, notice]`. */
  readonly set: Prepared;
  /** The upsert alone, for a write whose notice is sent with others' (`notify`): `[id, key, value, expires_at]`. */
  readonly setQuiet: Prepared;
  /** The delete with its NOTIFY (only if a row went): `[id, channel, notice]`, returns `expires_at`. */
  readonly delete: Prepared;
  /** The delete alone: `[id]`, returns `expires_at` of the row it removed. */
  readonly deleteQuiet: Prepared;
  /** Several notices in one transaction, so one commit (and one turn of the notify lock) for all: `[channel, notices[]]`. */
  readonly notify: Prepared;
  readonly purgeOne: Prepared;
  readonly list: Prepared;
  /** `listPage`'s keyset query; with `bounded`, the prefix's range has an end ({@link prefixUpperBound}). */
  listPage(bounded: boolean): Prepared;
  readonly lock: Prepared;
  readonly unlock: Prepared;
  /** Renews the lease only while `$2` holds it; RETURNING says whether it did. */
  readonly extendLock: Prepared;
  readonly purgeRecords: Prepared;
  readonly purgeLocks: Prepared;
  readonly channel: string;
  readonly listen: string;
  readonly schemaLockName: string;
}

/** The server's clock in epoch ms: every holder of a lease is judged by one clock, whatever its machine's. */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

// One-shot hashing (Node ≥ 20.12) is about 3× faster than a Hash object for a key-sized input;
// older Node 20 releases lack it.
const sha256: (data: string) => Buffer =
  typeof crypto.hash === "function"
    ? (data) => crypto.hash("sha256", data, "buffer")
    : (data) => crypto.createHash("sha256").update(data, "utf8").digest();

/**
 * `listPage` walks keys in the order of an index on `(left(key, 256) COLLATE
 * "C", id)`. Not on `key` itself: a btree entry holds at most ~2.7 kB and a
 * key may take 4 kB of UTF-8 (the reason rows are addressed by `id`), while
 * 256 characters are at most 1 kB. "C" orders by UTF-8 bytes whatever the
 * database's collation, so a prefix's keys are one range of the index; `id`
 * breaks ties between keys with the same head, making the order total for
 * the keyset cursor `(head, id)`. The table's primary key (on `id`) gives no
 * key order, hence the index, created IF NOT EXISTS by every store that
 * opens the table (once; on a big existing table it takes a while).
 */
export const KEY_HEAD_CHARS = 256;
const HEAD = `(left(key, ${KEY_HEAD_CHARS}) COLLATE "C")`;

/** The id of a key (or lock name): SHA-256 of its UTF-8 bytes. */
export function rowId(key: string): Buffer {
  return sha256(key);
}

function prepared(text: string): Prepared {
  return { name: `sessionstore_${sha256(text).toString("hex").slice(0, 32)}`, text };
}

/** Builds the statements for `table` (already validated as an identifier). */
export function statementsFor(table: string): Statements {
  const records = `"${table}"`;
  const locks = `"${table}_locks"`;
  const channel = `${table}_changes`;
  const upsert = `INSERT INTO ${records} (id, key, value, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`;
  const remove = `DELETE FROM ${records} WHERE id = $1 RETURNING expires_at`;
  const listPageText = (bounded: boolean) => `SELECT key, id FROM ${records}
      WHERE (${HEAD}, id) > ($2, $3) ${bounded ? `AND ${HEAD} < $6` : ""}
        AND left(key, length($1)) = $1 AND (expires_at IS NULL OR expires_at > $4)
      ORDER BY ${HEAD}, id LIMIT $5`;
  const listPageBounded = prepared(listPageText(true));
  const listPageOpen = prepared(listPageText(false));
  return {
    schema: [
      `CREATE TABLE IF NOT EXISTS ${records} (id bytea PRIMARY KEY, key text NOT NULL, value text NOT NULL, expires_at bigint)`,
      // A table made by an earlier layout without expiry gets the column (the only migration so far).
      `ALTER TABLE ${records} ADD COLUMN IF NOT EXISTS expires_at bigint`,
      `CREATE INDEX IF NOT EXISTS "${table}_expires" ON ${records} (expires_at) WHERE expires_at IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS "${table}_key_head" ON ${records} (${HEAD}, id)`,
      `CREATE TABLE IF NOT EXISTS ${locks} (id bytea PRIMARY KEY, token text NOT NULL, expires_at bigint NOT NULL)`,
    ],
    get: prepared(`SELECT value, expires_at FROM ${records} WHERE id = $1`),
    // The NOTIFY rides in the same statement, so it is sent exactly when the write commits.
    set: prepared(`WITH changed AS (${upsert} RETURNING 1) SELECT pg_notify($5, $6) FROM changed`),
    setQuiet: prepared(upsert),
    delete: prepared(`WITH gone AS (${remove}) SELECT expires_at, pg_notify($2, $3) FROM gone`),
    deleteQuiet: prepared(remove),
    // Committed without waiting for its WAL flush: a notification is never kept across a crash anyway,
    // and the writes it announces were flushed by their own commits. So the cluster-wide NOTIFY lock
    // is held for a moment, not for a disk flush, and the writes waiting on this batch resolve sooner.
    notify: prepared(`SELECT pg_notify($1, notice)
      FROM set_config('synchronous_commit', 'off', true) AS async, unnest($2::text[]) AS notice`),
    purgeOne: prepared(`DELETE FROM ${records} WHERE id = $1 AND expires_at <= $2`),
    // left()/length() compare literally: no LIKE, so % and _ in a prefix are plain characters.
    list: prepared(
      `SELECT key FROM ${records} WHERE left(key, length($1)) = $1 AND (expires_at IS NULL OR expires_at > $2)`,
    ),
    // $1 prefix, $2/$3 the cursor (head, id) (the prefix's head and an empty id on the first
    // page: every id is longer), $4 now, $5 limit, $6 the range's end. Both bounds and
    // the order are the index's expression, so a page reads about `limit` index entries.
    listPage: (bounded) => (bounded ? listPageBounded : listPageOpen),
    // Takes the lease when nobody holds it or the holder's lease ran out; RETURNING says who won.
    lock: prepared(`INSERT INTO ${locks} (id, token, expires_at) VALUES ($1, $2, ${NOW_MS} + $3)
      ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
      WHERE ${locks}.expires_at <= ${NOW_MS}
      RETURNING token`),
    unlock: prepared(`DELETE FROM ${locks} WHERE id = $1 AND token = $2`),
    extendLock: prepared(
      `UPDATE ${locks} SET expires_at = ${NOW_MS} + $3 WHERE id = $1 AND token = $2 RETURNING token`,
    ),
    purgeRecords: prepared(`DELETE FROM ${records} WHERE expires_at <= $1`),
    purgeLocks: prepared(`DELETE FROM ${locks} WHERE expires_at <= ${NOW_MS}`),
    channel,
    listen: `LISTEN "${channel}"`,
    schemaLockName: `sessionstore schema ${table}`,
  };
}
