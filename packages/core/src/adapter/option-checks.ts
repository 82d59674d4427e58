/** Checks of store options that every adapter makes the same way, with the same messages. */
import { SessionStoreError } from "../errors.js";

// setTimeout overflows above this and fires at once.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `ERR_INVALID_ARGUMENT` naming `field`: "`<field> <message>`". Every argument
 * check of core and the adapters builds its error here, so the message always
 * starts with the field it names (and the browser bundle carries the code once).
 */
export function invalidOption(field: string, message: string, cause?: unknown): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `${field} ${message}`, { field, cause });
}

/** `value` as a timer length (1 ms to about 24.8 days), or `fallback` when not given. */
export function positiveMs(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw invalidOption(field, `must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`);
  }
  return value;
}

/** Where a store connects: a URL it opens and owns, or a pool the caller owns. */
export type UrlOrPool<Pool> =
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "pool"; readonly pool: Pool };

/**
 * Reads the `url` / `pool` pair of `options` (exactly one): `isPool` checks
 * a pool (after `adapt`, e.g. a callback pool's promise wrapper), `poolMessage`
 * says what a pool must be.
 */
export function urlOrPool<Pool>(
  options: unknown,
  isPool: (value: unknown) => value is Pool,
  poolMessage: string,
  adapt: (value: unknown) => unknown = (value) => value,
): { readonly source: UrlOrPool<Pool>; readonly given: Record<string, unknown> } {
  if (typeof options !== "object" || options === null)
    throw invalidOption("options", "must be an object with url or pool");
  const given = options as Record<string, unknown>;
  if (given.url !== undefined && given.pool !== undefined)
    throw invalidOption("options", "must give only one of url and pool");
  if (given.pool !== undefined) {
    const pool = adapt(given.pool);
    if (!isPool(pool)) throw invalidOption("pool", poolMessage);
    return { source: { kind: "pool", pool }, given };
  }
  if (given.url === undefined) throw invalidOption("options", "must give url or pool");
  return { source: { kind: "url", url: given.url as string }, given };
}

/** A table name a store derives its other tables' names from (`<table>_locks` …): an SQL identifier short enough for them. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The settings every store on a database server takes beside where it connects, checked, defaults applied. */
export interface ServerStoreSettings {
  readonly table: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly lockPollMs: number;
}

/** Reads `table`, `connectTimeoutMs`, `commandTimeoutMs` and `lockPollMs` of `given` (5 s, 5 s and 25 ms unless given). */
export function serverStoreSettings(given: Record<string, unknown>, defaultTable: string): ServerStoreSettings {
  const table = given.table ?? defaultTable;
  if (typeof table !== "string" || !TABLE_NAME.test(table)) {
    throw invalidOption("table", "must be a letter or underscore, then up to 47 letters, digits or underscores");
  }
  return {
    table,
    connectTimeoutMs: positiveMs(given.connectTimeoutMs, "connectTimeoutMs", 5000),
    commandTimeoutMs: positiveMs(given.commandTimeoutMs, "commandTimeoutMs", 5000),
    lockPollMs: positiveMs(given.lockPollMs, "lockPollMs", 25),
  };
}
