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
import { withoutRowData } from "./internal/driver-error.js";
import { openPool } from "./internal/pool.js";
import { rowId, statementsFor } from "./internal/statements.js";
import { createWatcher } from "./internal/watcher.js";
import { type PostgresQueryResult, type PostgresStoreOptions, resolvePostgresOptions } from "./options.js";

/** A {@link SessionStore} on PostgreSQL: lease lock, list, expiry and LISTEN/NOTIFY watch; every call a Promise. */
export interface PostgresStore extends SessionStore {
  /** The records table (locks are in `<table>_locks`). */
  readonly table: string;
  get(key: string): Promise<JsonObject | undefined>;
  set(key: string, record: JsonObject, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  watch(listener: StoreChangeListener): () => void;
  /**
   * Deletes expired records and ended lock leases now (also done when the
   * store first connects; an expired record read by `get` is deleted then).
   * @returns how many records were deleted.
   */
  purgeExpired(): Promise<number>;
  close(): Promise<void>;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: true, list: true, nativeExpiry: false, watch: true });

// bigint holds ±9.2e18; an expiry beyond ±2^53 ms (285,000 years) is kept as that
// in the expires_at column (the exact value travels in the record's envelope).
const MAX_EXPIRY_MS = 2 ** 53;

function expiryColumn(expiresAt: number | undefined): string | null {
  if (expiresAt === undefined) return null;
  return String(Math.floor(Math.min(Math.max(expiresAt, -MAX_EXPIRY_MS), MAX_EXPIRY_MS)));
}

/**
 * Creates a {@link PostgresStore} on node-postgres. It starts connecting and
 * creating its tables at once (never throwing: a failed start surfaces as
 * `ERR_STORE_UNAVAILABLE` on first use, and is retried then). Every call
 * settles within `connectTimeoutMs + commandTimeoutMs`; failures name the
 * server (`host:port/database`), never the password. See the README for the
 * lock, the watch channel and outages.
 * @throws `ERR_INVALID_ARGUMENT` for an invalid option (nothing is opened).
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const resolved = resolvePostgresOptions(options);
  const { table, server, connectTimeoutMs, commandTimeoutMs, lockPollMs } = resolved;
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
    return toStoreError(withoutRowData(error), `${operation} on PostgreSQL ${server}`);
  };

  // Several processes may create the tables at once; CREATE ... IF NOT EXISTS
  // alone can then fail on the catalog's unique index, so they take turns
  // under a transaction-scoped advisory lock.
  const createSchema = async () => {
    const client = await pool.connect();
    // node-postgres emits "error" on a checked-out client when the server ends the
    // connection (a restart, pg_terminate_backend) besides failing the running query;
    // the pool stops listening while a client is out, so without this the process
    // would crash on an uncaught "terminating connection" error.
    const ignoreLostConnection = () => undefined;
    client.on("error", ignoreLostConnection);
    let failed = false;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [sql.schemaLockName]);
      for (const statement of sql.schema) await client.query(statement);
      await client.query(sql.purgeRecords, [String(Date.now())]);
      await client.query(sql.purgeLocks);
      await client.query("COMMIT");
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A connection that failed mid-transaction is ended, not handed back in an unknown state.
      // A failed client is ended: it keeps the listener, since the end can still report the lost socket.
      if (!failed) client.off("error", ignoreLostConnection);
      client.release(failed);
    }
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

  const query = async (operation: string, text: string, values: unknown[] = []): Promise<PostgresQueryResult> => {
    const work = async () => {
      await ready();
      return pool.query(text, values);
    };
    try {
      // One deadline for the whole call, waiting for the tables included: the documented bound holds.
      return await withDeadline(operation, server, bound, work());
    } catch (error) {
      throw toError(error, operation);
    }
  };

  const notification = (key: string) => JSON.stringify({ k: key, o: origin });

  const release = async (token: string) => {
    const id = held.get(token);
    if (id === undefined) return;
    held.delete(token);
    await query("unlock", sql.unlock, [id, token]);
  };

  const watcher = createWatcher({
    connect: () => pool.connect(),
    channel: sql.channel,
    listen: sql.listen,
    origin,
  });

  return {
    capabilities: CAPABILITIES,
    kind: "postgres",
    table,

    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      const id = rowId(key);
      const { rows } = await query("get", sql.get, [id]);
      const row = rows[0] as { value?: unknown } | undefined;
      if (row === undefined) return undefined;
      const envelope = decodeEnvelope(row.value, key);
      const now = Date.now();
      if (!isExpired(envelope.expiresAt, now)) return envelope.record;
      // Purged when read: no timer is needed to keep dead sessions out of the table.
      await query("get", sql.purgeOne, [id, String(now)]);
      return undefined;
    },

    async set(key, record, setOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      const text = encodeEnvelope(record, expiresAt);
      await query("set", sql.set, [rowId(key), key, text, expiryColumn(expiresAt), sql.channel, notification(key)]);
    },

    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      const { rows } = await query("delete", sql.delete, [rowId(key), sql.channel, notification(key)]);
      const row = rows[0] as { expires_at?: unknown } | undefined;
      // A record whose expiry passed was already gone as far as readers know.
      return row !== undefined && !isExpired(row.expires_at == null ? undefined : Number(row.expires_at));
    },

    async lock(key, lockOptions) {
      ensureOpen();
      assertStoreKey(key);
      const { ttlMs, waitMs } = assertLockOptions(lockOptions);
      const id = rowId(key);
      const token = randomLockToken();
      const lease = String(Math.max(1, Math.ceil(Math.min(ttlMs, MAX_EXPIRY_MS))));
      const deadline = Date.now() + waitMs;
      for (;;) {
        ensureOpen();
        const { rows } = await query("lock", sql.lock, [id, token, lease]);
        if (rows.length === 1) {
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
      const { rows } = await query("list", sql.list, [prefix, String(Date.now())]);
      return rows.map((row) => String((row as { key: unknown }).key));
    },

    watch(listener) {
      ensureOpen();
      if (typeof listener !== "function") {
        throw new SessionStoreError("ERR_INVALID_ARGUMENT", "listener must be a function", { field: "listener" });
      }
      return watcher.add(listener);
    },

    async purgeExpired() {
      ensureOpen();
      const { rowCount } = await query("purge", sql.purgeRecords, [String(Date.now())]);
      await query("purge", sql.purgeLocks);
      return rowCount ?? 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      watcher.close();
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
