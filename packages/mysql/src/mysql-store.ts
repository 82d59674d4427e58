import type { KeyPage, ListPageOptions, LockOptions, ReleaseLock, StoreChangeListener } from "@sessionstore/core";
import {
  bestEffortOnceClosed,
  boundedCaller,
  type DefinedStore,
  defineStore,
  isExpired,
  prefixUpperBound,
  randomLockToken,
} from "@sessionstore/core/adapter";
import { withoutStatement } from "./internal/driver-error.js";
import { type ChangeRow, createPoller } from "./internal/poller.js";
import { openPool } from "./internal/pool.js";
import { rowId, statementsFor } from "./internal/statements.js";
import { type MysqlPoolConnection, type MysqlStoreOptions, resolveMysqlOptions } from "./options.js";

/** A session store on MySQL or MariaDB: lease lock, list and listPage, expiry and a polled watch; every call a Promise. */
export interface MysqlStore extends DefinedStore {
  /** The records table (locks are in `<table>_locks`, the change log in `<table>_changes`). */
  readonly table: string;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
  watch(listener: StoreChangeListener): () => void;
  /**
   * Deletes expired records, ended lock leases and change-log rows older than
   * a minute now (also done when the store first connects).
   * @returns how many records were deleted.
   */
  purgeExpired(): Promise<number>;
}

// An expiry beyond ±2^53 ms is kept as that in the BIGINT column (the exact value travels in the envelope).
const MAX_EXPIRY_MS = 2 ** 53;
// How long change-log rows are kept: far longer than any watcher's poll interval.
const CHANGE_LOG_MS = 60_000;

/** A lease as the lock statements take it: whole milliseconds, at least 1, within the column. */
function leaseColumn(ttlMs: number): number {
  return Math.max(1, Math.ceil(Math.min(ttlMs, MAX_EXPIRY_MS)));
}

function expiryColumn(expiresAt: number | undefined): number | null {
  if (expiresAt === undefined) return null;
  return Math.floor(Math.min(Math.max(expiresAt, -MAX_EXPIRY_MS), MAX_EXPIRY_MS));
}

function rowsOf(result: [unknown, unknown]): Array<Record<string, unknown>> {
  return Array.isArray(result[0]) ? (result[0] as Array<Record<string, unknown>>) : [];
}

function affected(result: [unknown, unknown]): number {
  const header = result[0] as { affectedRows?: unknown };
  return typeof header?.affectedRows === "number" ? header.affectedRows : 0;
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function toChange(row: Record<string, unknown>): ChangeRow {
  return { seq: Number(row.seq), key: text(row.k), origin: String(row.origin), at: Number(row.at ?? 0) };
}

/**
 * Creates a {@link MysqlStore} on mysql2. It starts connecting and creating its
 * tables at once (never throwing: a failed start surfaces as
 * `ERR_STORE_UNAVAILABLE` on first use, and is retried then). Every call
 * settles within `connectTimeoutMs + commandTimeoutMs`; failures name the
 * server (`host:port/database`), never the password. See the README for the
 * lock, the change log and outages.
 * @throws `ERR_INVALID_ARGUMENT` for an invalid option (nothing is opened).
 */
export function createMysqlStore(options: MysqlStoreOptions): MysqlStore {
  const resolved = resolveMysqlOptions(options);
  const { table, server, connectTimeoutMs, commandTimeoutMs, lockPollMs, watchPollMs } = resolved;
  const sql = statementsFor(table);
  const pool = openPool(resolved);
  const origin = randomLockToken();

  const purge = async () => {
    const [records] = await Promise.all([
      pool.query(sql.purgeRecords, [Date.now()]),
      pool.query(sql.purgeLocks),
      pool.query(sql.purgeChanges, [Date.now() - CHANGE_LOG_MS]),
    ]);
    return affected(records);
  };

  const ensureKeyIndex = async () => {
    if (rowsOf(await pool.query(sql.keyIndexExists, [table, sql.keyIndexName])).length > 0) return;
    try {
      await pool.query(sql.createKeyIndex);
    } catch (error) {
      // Another store created it meanwhile (ER_DUP_KEYNAME); or a server whose index limit is
      // below 3072 bytes (ER_TOO_LONG_KEY): listPage still answers right, by sorting, just slower.
      const code = (error as { code?: unknown }).code;
      if (code !== "ER_DUP_KEYNAME" && code !== "ER_TOO_LONG_KEY") throw error;
    }
  };

  const call = boundedCaller({
    server: `MySQL ${server}`,
    ms: connectTimeoutMs + commandTimeoutMs,
    // CREATE TABLE IF NOT EXISTS is safe to race in MySQL (metadata locks), so no extra lock here.
    async start() {
      for (const statement of sql.schema) await pool.query(statement);
      await ensureKeyIndex();
      await purge();
    },
    scrub: withoutStatement,
  });
  const query = (operation: string, statement: string, values: unknown[] = []) =>
    call(operation, () => pool.query(statement, values));

  /** Runs `work` in a transaction on one connection, with the change-log row when it says a record changed. */
  const writeLogged = (operation: string, key: string, work: (connection: MysqlPoolConnection) => Promise<boolean>) =>
    call(operation, async () => {
      const connection = await pool.getConnection();
      let broken = false;
      try {
        await connection.beginTransaction();
        const changed = await work(connection);
        if (changed) await connection.query(sql.logChange, [Buffer.from(key, "utf8"), origin, Date.now()]);
        await connection.commit();
        return changed;
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        // A connection that failed mid-transaction is closed (its transaction with it), not reused.
        if (broken) connection.destroy();
        else connection.release();
      }
    });

  const poller = createPoller({
    recent: async (count) => rowsOf(await query("watch", sql.recentChanges, [count])).map(toChange),
    since: async (seq) => rowsOf(await query("watch", sql.changesSince, [seq])).map(toChange),
    origin,
    pollMs: watchPollMs,
  });

  const kit = defineStore({
    kind: "mysql",
    capabilities: Object.freeze({ lock: true, list: true, listPage: true, nativeExpiry: false, watch: true }),
    lockPollMs,
    describe: (operation) => `${operation} on MySQL ${server}`,
    backend: {
      async read(key) {
        poller.seen(key);
        const id = rowId(key);
        const [row] = rowsOf(await query("get", sql.get, [id]));
        if (row === undefined) return undefined;
        const now = Date.now();
        if (!isExpired(row.expires_at == null ? undefined : Number(row.expires_at), now)) return text(row.v);
        // Purged when read: no timer is needed to keep dead sessions out of the table.
        await query("get", sql.purgeOne, [id, now]);
        return undefined;
      },
      async write(key, envelope, expiresAt) {
        poller.seen(key);
        await writeLogged("set", key, async (connection) => {
          await connection.query(sql.set, [rowId(key), Buffer.from(key, "utf8"), envelope, expiryColumn(expiresAt)]);
          return true;
        });
      },
      remove(key) {
        poller.seen(key);
        return writeLogged("delete", key, async (connection) => {
          const id = rowId(key);
          const live = affected(await connection.query(sql.deleteLive, [id, Date.now()]));
          // An expired leftover goes too, but was already gone as far as readers know.
          if (live === 0) await connection.query(sql.deleteAny, [id]);
          return live > 0;
        });
      },
      async list(prefix) {
        const bytes = Buffer.from(prefix, "utf8");
        const rows = rowsOf(await query("list", sql.list, [bytes.length, bytes, Date.now()]));
        return rows.map((row) => [text(row.k), undefined] as const);
      },
      async listPage(prefix, { cursor, limit }) {
        const bytes = Buffer.from(prefix, "utf8");
        const end = prefixUpperBound(prefix);
        // The cursor is the last key given (any string is a place in the key order); the
        // least byte string above it is itself and a 0x00 byte.
        const from = cursor === undefined ? bytes : Buffer.concat([Buffer.from(cursor, "utf8"), Buffer.of(0)]);
        const values = [from, ...(end === undefined ? [] : [Buffer.from(end, "utf8")])];
        const statement = sql.listPage(end !== undefined);
        const rows = rowsOf(await query("list page", statement, [...values, bytes.length, bytes, Date.now(), limit]));
        const keys = rows.map((row) => text(row.k));
        return {
          entries: keys.map((key) => [key, undefined] as const),
          cursor: keys.length === limit ? keys.at(-1) : undefined,
        };
      },
      tryLock: ({ name, token, ttlMs }) =>
        call("lock", async () => {
          // The lease is timed on the server's clock, which every holder shares.
          const id = rowId(name);
          await pool.query(sql.lock, [id, token, leaseColumn(ttlMs)]);
          return rowsOf(await pool.query(sql.lockHolder, [id]))[0]?.token === token;
        }),
      unlock: (name, token) =>
        bestEffortOnceClosed(kit.closed, () => query("unlock", sql.unlock, [rowId(name), token])),
      extendLock: ({ name, token, ttlMs }) =>
        call("extend lock", async () => {
          const id = rowId(name);
          await pool.query(sql.extendLock, [leaseColumn(ttlMs), id, token]);
          return rowsOf(await pool.query(sql.lockHolder, [id]))[0]?.token === token;
        }),
      watch: (listener) => poller.add(listener),
      async close() {
        poller.close();
        await pool.close();
      },
    },
  });

  return Object.assign(kit.store as MysqlStore, {
    table,
    purgeExpired: () => kit.run("purge", () => call("purge", purge)),
  });
}
