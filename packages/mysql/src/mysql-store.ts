import {
  isSessionStoreError,
  type JsonObject,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  SessionStoreError,
  type SetOptions,
  type StoreCapabilities,
  type StoreChangeListener,
  toStoreError,
} from "@sessionstore/core";
import {
  assertLockOptions,
  assertStoreKey,
  decodeEnvelope,
  encodeEnvelope,
  isExpired,
  lockTimeoutError,
  randomLockToken,
  readExpiresAt,
  sleep,
  storeClosedError,
} from "@sessionstore/core/adapter";
import { withDeadline } from "./internal/deadline.js";
import { withoutStatement } from "./internal/driver-error.js";
import { type ChangeRow, createPoller } from "./internal/poller.js";
import { openPool } from "./internal/pool.js";
import { rowId, statementsFor } from "./internal/statements.js";
import { type MysqlPoolConnection, type MysqlStoreOptions, resolveMysqlOptions } from "./options.js";

/** A {@link SessionStore} on MySQL or MariaDB: lease lock, list, expiry and a polled watch; every call a Promise. */
export interface MysqlStore extends SessionStore {
  /** The records table (locks are in `<table>_locks`, the change log in `<table>_changes`). */
  readonly table: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  watch(listener: StoreChangeListener): () => void;
  /**
   * Deletes expired records, ended lock leases and change-log rows older than
   * a minute now (also done when the store first connects).
   * @returns how many records were deleted.
   */
  purgeExpired(): Promise<number>;
  close(): Promise<void>;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: true, list: true, nativeExpiry: false, watch: true });

// An expiry beyond ±2^53 ms is kept as that in the BIGINT column (the exact value travels in the envelope).
const MAX_EXPIRY_MS = 2 ** 53;
// How long change-log rows are kept: far longer than any watcher's poll interval.
const CHANGE_LOG_MS = 60_000;

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
  const bound = connectTimeoutMs + commandTimeoutMs;
  // Locks this store holds (token -> lock id), released by close().
  const held = new Map<string, Buffer>();
  let closed = false;
  let schema: Promise<void> | undefined;

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  const toError = (error: unknown, operation: string): SessionStoreError => {
    if (isSessionStoreError(error)) return error;
    if (closed) return new SessionStoreError("ERR_STORE_CLOSED", "the store was closed", { cause: error });
    return toStoreError(withoutStatement(error), `${operation} on MySQL ${server}`);
  };

  const purge = async () => {
    const [records] = await Promise.all([
      pool.query(sql.purgeRecords, [Date.now()]),
      pool.query(sql.purgeLocks),
      pool.query(sql.purgeChanges, [Date.now() - CHANGE_LOG_MS]),
    ]);
    return affected(records);
  };

  // CREATE TABLE IF NOT EXISTS is safe to race in MySQL (metadata locks), so no extra lock here.
  const createSchema = async () => {
    for (const statement of sql.schema) await pool.query(statement);
    await purge();
  };

  const ready = (): Promise<void> => {
    schema ??= withDeadline("connect", server, bound, createSchema()).catch((error: unknown) => {
      // Forgotten, so the next call tries again once the server is back.
      schema = undefined;
      throw error;
    });
    return schema;
  };

  // Warm-up: connect and create the tables now, so the first call does not pay for it.
  ready().catch(() => undefined);

  const run = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    const call = async () => {
      await ready();
      return work();
    };
    try {
      // One deadline for the whole call, waiting for the tables included: the documented bound holds.
      return await withDeadline(operation, server, bound, call());
    } catch (error) {
      throw toError(error, operation);
    }
  };

  const query = (operation: string, statement: string, values: unknown[] = []) =>
    run(operation, () => pool.query(statement, values));

  /** Runs `work` in a transaction on one connection, with the change-log row when it says a record changed. */
  const writeLogged = (operation: string, key: string, work: (connection: MysqlPoolConnection) => Promise<boolean>) =>
    run(operation, async () => {
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

  const release = async (token: string) => {
    const id = held.get(token);
    if (id === undefined) return;
    held.delete(token);
    await query("unlock", sql.unlock, [id, token]);
  };

  const toChange = (row: Record<string, unknown>): ChangeRow => ({
    seq: Number(row.seq),
    key: text(row.k),
    origin: String(row.origin),
    at: Number(row.at ?? 0),
  });

  const poller = createPoller({
    recent: async (count) => rowsOf(await query("watch", sql.recentChanges, [count])).map(toChange),
    since: async (seq) => rowsOf(await query("watch", sql.changesSince, [seq])).map(toChange),
    origin,
    pollMs: watchPollMs,
  });

  return {
    capabilities: CAPABILITIES,
    kind: "mysql",
    table,

    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      const id = rowId(key);
      const [row] = rowsOf(await query("get", sql.get, [id]));
      if (row === undefined) return undefined;
      const envelope = decodeEnvelope(row.v === undefined ? undefined : text(row.v), key);
      const now = Date.now();
      if (!isExpired(envelope.expiresAt, now)) return envelope.record;
      // Purged when read: no timer is needed to keep dead sessions out of the table.
      await query("get", sql.purgeOne, [id, now]);
      return undefined;
    },

    async set(key, record, setOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      const envelope = encodeEnvelope(record, expiresAt);
      await writeLogged("set", key, async (connection) => {
        await connection.query(sql.set, [rowId(key), Buffer.from(key, "utf8"), envelope, expiryColumn(expiresAt)]);
        return true;
      });
    },

    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      const id = rowId(key);
      return writeLogged("delete", key, async (connection) => {
        const live = affected(await connection.query(sql.deleteLive, [id, Date.now()]));
        // An expired leftover goes too, but was already gone as far as readers know.
        if (live === 0) await connection.query(sql.deleteAny, [id]);
        return live > 0;
      });
    },

    async lock(key, lockOptions) {
      ensureOpen();
      assertStoreKey(key);
      const { ttlMs, waitMs } = assertLockOptions(lockOptions);
      const id = rowId(key);
      const token = randomLockToken();
      const lease = Math.max(1, Math.ceil(Math.min(ttlMs, MAX_EXPIRY_MS)));
      const deadline = Date.now() + waitMs;
      for (;;) {
        ensureOpen();
        const holder = await run("lock", async () => {
          await pool.query(sql.lock, [id, token, lease]);
          return rowsOf(await pool.query(sql.lockHolder, [id]))[0]?.token;
        });
        if (holder === token) {
          held.set(token, id);
          return () => release(token);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw lockTimeoutError(key, waitMs);
        // Jittered, so waiters in many processes do not knock in step.
        await sleep(Math.min(left, lockPollMs * (0.5 + Math.random())));
      }
    },

    async list(prefix) {
      ensureOpen();
      if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
      const bytes = Buffer.from(prefix, "utf8");
      const rows = rowsOf(await query("list", sql.list, [bytes.length, bytes, Date.now()]));
      return rows.map((row) => text(row.k));
    },

    watch(listener) {
      ensureOpen();
      if (typeof listener !== "function") {
        throw new SessionStoreError("ERR_INVALID_ARGUMENT", "listener must be a function", { field: "listener" });
      }
      return poller.add(listener);
    },

    async purgeExpired() {
      ensureOpen();
      return run("purge", purge);
    },

    async close() {
      if (closed) return;
      closed = true;
      poller.close();
      const stillHeld = [...held];
      held.clear();
      // Best effort, bounded: leases free these anyway, and an outage must not make close() hang.
      await Promise.allSettled(
        stillHeld.map(([token, id]) => withDeadline("unlock", server, bound, pool.query(sql.unlock, [id, token]))),
      );
      await pool.close();
    },
  };
}
