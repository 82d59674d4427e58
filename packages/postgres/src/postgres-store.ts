import type { KeyPage, ListPageOptions, LockOptions, ReleaseLock, StoreChangeListener } from "@sessionstore/core";
import {
  bestEffortOnceClosed,
  boundedCaller,
  type DefinedStore,
  defineStore,
  isExpired,
  randomLockToken,
  withDeadline,
} from "@sessionstore/core/adapter";
import { withoutRowData } from "./internal/driver-error.js";
import { keyPageQuery, nextKeyCursor } from "./internal/key-page.js";
import { createChangeNotices } from "./internal/notices.js";
import { openPool, type StorePool } from "./internal/pool.js";
import { type Prepared, rowId, type Statements, statementsFor } from "./internal/statements.js";
import { createWatcher } from "./internal/watcher.js";
import { type PostgresStoreOptions, resolvePostgresOptions } from "./options.js";

/** A session store on PostgreSQL: lease lock, list and listPage, expiry and LISTEN/NOTIFY watch; every call a Promise. */
export interface PostgresStore extends DefinedStore {
  /** The records table (locks are in `<table>_locks`). */
  readonly table: string;
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): Promise<string[]>;
  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage>;
  watch(listener: StoreChangeListener): () => void;
  /**
   * Deletes expired records and ended lock leases now (also done when the
   * store first connects; an expired record read by `get` is deleted then).
   * @returns how many records were deleted.
   */
  purgeExpired(): Promise<number>;
}

// bigint holds ±9.2e18; an expiry beyond ±2^53 ms (285,000 years) is kept as that
// in the expires_at column (the exact value travels in the record's envelope).
const MAX_EXPIRY_MS = 2 ** 53;

function expiryColumn(expiresAt: number | undefined): string | null {
  if (expiresAt === undefined) return null;
  return String(Math.floor(Math.min(Math.max(expiresAt, -MAX_EXPIRY_MS), MAX_EXPIRY_MS)));
}

/** A lease as the lock statements take it: whole milliseconds, at least 1, within the column. */
function leaseColumn(ttlMs: number): string {
  return String(Math.max(1, Math.ceil(Math.min(ttlMs, MAX_EXPIRY_MS))));
}

function expiryOf(row: { expires_at?: unknown }): number | undefined {
  return row.expires_at == null ? undefined : Number(row.expires_at);
}

// Several processes may create the tables at once; CREATE ... IF NOT EXISTS
// alone can then fail on the catalog's unique index, so they take turns
// under a transaction-scoped advisory lock.
async function createSchema(pool: StorePool, sql: Statements): Promise<void> {
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
    await client.query(sql.purgeRecords.text, [String(Date.now())]);
    await client.query(sql.purgeLocks.text);
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
  const call = boundedCaller({
    server: `PostgreSQL ${server}`,
    ms: connectTimeoutMs + commandTimeoutMs,
    start: () => createSchema(pool, sql),
    scrub: withoutRowData,
  });
  const query = (operation: string, statement: Prepared, values: unknown[]) =>
    call(operation, () => pool.query(statement, values));
  // The format every version's watcher parses (watcher.ts); a batch sends one of these per write.
  const notification = (key: string) => JSON.stringify({ k: key, o: origin });
  // A batch and the quiet writes it waits for are bounded on their own: the next batch waits
  // for them, whatever became of the calls that started them.
  const settles = <T>(operation: string, work: Promise<T>) =>
    withDeadline(operation, `PostgreSQL ${server}`, connectTimeoutMs + commandTimeoutMs, work);
  const notices = createChangeNotices((batch) => settles("notify", pool.query(sql.notify, [sql.channel, batch])));
  const watcher = createWatcher({ connect: () => pool.connect(), channel: sql.channel, listen: sql.listen, origin });

  const kit = defineStore({
    kind: "postgres",
    capabilities: Object.freeze({ lock: true, list: true, listPage: true, nativeExpiry: false, watch: true }),
    lockPollMs,
    describe: (operation) => `${operation} on PostgreSQL ${server}`,
    backend: {
      async read(key) {
        watcher.seen(key);
        const id = rowId(key);
        const row = (await query("get", sql.get, [id])).rows[0] as { value: string; expires_at?: unknown } | undefined;
        if (row === undefined) return undefined;
        const now = Date.now();
        if (!isExpired(expiryOf(row), now)) return row.value;
        // Purged when read: no timer is needed to keep dead sessions out of the table.
        await query("get", sql.purgeOne, [id, String(now)]);
        return undefined;
      },
      async write(key, text, expiresAt) {
        watcher.seen(key);
        const values = [rowId(key), key, text, expiryColumn(expiresAt)];
        const notice = notification(key);
        // One bound for the whole call, the wait for its notice's batch included.
        await call("set", () =>
          notices.write(
            () => pool.query(sql.set, [...values, sql.channel, notice]),
            async () => ({ result: await settles("set", pool.query(sql.setQuiet, values)), notice }),
          ),
        );
      },
      async remove(key) {
        watcher.seen(key);
        const id = rowId(key);
        const notice = notification(key);
        const rows = await call("delete", () =>
          notices.write(
            async () => (await pool.query(sql.delete, [id, sql.channel, notice])).rows,
            async () => {
              const { rows: gone } = await settles("delete", pool.query(sql.deleteQuiet, [id]));
              // No row, no change: nothing to tell.
              return { result: gone, notice: gone.length > 0 ? notice : undefined };
            },
          ),
        );
        const row = rows[0] as { expires_at?: unknown } | undefined;
        // A record whose expiry passed was already gone as far as readers know.
        return row !== undefined && !isExpired(expiryOf(row));
      },
      async list(prefix) {
        const { rows } = await query("list", sql.list, [prefix, String(Date.now())]);
        return rows.map((row) => [String((row as { key: unknown }).key), undefined] as const);
      },
      async listPage(prefix, request) {
        const { bounded, values } = keyPageQuery(prefix, request, Date.now());
        const rows = (await query("list page", sql.listPage(bounded), values)).rows as { key: string; id: Buffer }[];
        return {
          entries: rows.map((row) => [row.key, undefined] as const),
          cursor: nextKeyCursor(rows, request.limit),
        };
      },
      async tryLock({ name, token, ttlMs }) {
        // The lease is timed on the server's clock, which every holder shares.
        return (await query("lock", sql.lock, [rowId(name), token, leaseColumn(ttlMs)])).rows.length === 1;
      },
      unlock: (name, token) =>
        bestEffortOnceClosed(kit.closed, () => query("unlock", sql.unlock, [rowId(name), token])),
      async extendLock({ name, token, ttlMs }) {
        return (await query("extend lock", sql.extendLock, [rowId(name), token, leaseColumn(ttlMs)])).rows.length === 1;
      },
      watch: (listener) => watcher.add(listener),
      async close() {
        watcher.close();
        await pool.close();
      },
    },
  });

  return Object.assign(kit.store as PostgresStore, {
    table,
    purgeExpired: () =>
      kit.run("purge", async () => {
        const { rowCount } = await query("purge", sql.purgeRecords, [String(Date.now())]);
        await query("purge", sql.purgeLocks, []);
        return rowCount ?? 0;
      }),
  });
}
