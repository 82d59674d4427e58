import KeyvPostgres from "@keyv/postgres";
import Keyv from "keyv";

/** The shared test database (trust auth). */
export const POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";

/** A table name no other run uses (identifiers: letters, digits, underscore). */
export function uniqueTable(label: string): string {
  return `sessionstore_${label}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/**
 * A Keyv over @keyv/postgres on its own table. keySize leaves room for the
 * longest store key (1024) plus the namespace. @keyv/postgres keeps one pool
 * per URI in a module global, so pools of earlier instances are only ever
 * closed by their idle timeout: keep it short so the test process exits.
 */
export function postgresKeyv(table: string, namespace: string, uri = POSTGRES_URL) {
  const adapter = new KeyvPostgres({
    uri,
    table,
    keySize: 2048,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 1_000,
    allowExitOnIdle: true,
  });
  const keyv = new Keyv(adapter, { namespace });
  return { adapter, keyv };
}

/** Rows of the table, read behind the store's back. */
export async function rawValue(adapter: KeyvPostgres, table: string, storedKey: string): Promise<string | undefined> {
  const rows = (await adapter.query(`SELECT value FROM ${table} WHERE key = $1`, [storedKey])) as Array<{
    value: string;
  }>;
  return rows[0]?.value;
}
