/**
 * What every store on a networked server (PostgreSQL, MySQL, Redis) needs
 * beyond the contract: a bound on each call, a start-up step run once but
 * retried after it failed, and driver errors stripped of the data they echo.
 */
import { SessionStoreError } from "../errors.js";

/**
 * Runs `work` but gives up after `ms` with `ERR_STORE_UNAVAILABLE` naming
 * `server` (e.g. `PostgreSQL host:5432/db`). Drivers bound a connect at best,
 * rarely a statement and never a pool passed in, so the store bounds every
 * call. A statement abandoned this way may still be applied by the server later.
 * `mapError`, when given, maps every failure (the timeout's too) before the
 * caller sees it, without a promise of its own: this is on every command's path.
 */
export function withDeadline<T>(
  operation: string,
  server: string,
  ms: number,
  work: Promise<T>,
  mapError?: (error: unknown) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (error: unknown) => reject(mapError ? mapError(error) : error);
    const timer = setTimeout(() => {
      fail(
        new SessionStoreError(
          "ERR_STORE_UNAVAILABLE",
          `store ${operation} failed: ${server} did not answer within ${ms} ms`,
          { cause: new Error(`no reply within ${ms} ms`) },
        ),
      );
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    // The rejection handler also marks a late failure handled once we gave up.
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        fail(error);
      },
    );
  });
}

/**
 * `start` run once and shared by every caller (creating tables, connecting),
 * but forgotten when it fails, so the next call tries again once the server
 * is back instead of failing for ever.
 */
export function onceUntilFailure(start: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
}

/**
 * A copy of a driver error with only the `keep` fields (and name, message,
 * stack), when it has any of the `drop` fields: those echo statements or rows,
 * tokens included, and `cause` would carry them to `util.inspect`. Anything
 * else passes through unchanged.
 */
export function withoutFields(error: unknown, drop: readonly string[], keep: readonly string[]): unknown {
  if (!(error instanceof Error) || !drop.some((field) => field in error)) return error;
  const source = error as unknown as Record<string, unknown>;
  const copy = Object.assign(new Error(error.message), Object.fromEntries(keep.map((field) => [field, source[field]])));
  copy.name = error.name;
  copy.stack = error.stack ?? "";
  return copy;
}

/** What {@link boundedCaller} needs. */
export interface BoundedCallerOptions {
  /** Names the server in a timeout, e.g. `PostgreSQL host:5432/db` (never a password). */
  readonly server: string;
  /** The bound of one call, start-up wait included (`connectTimeoutMs + commandTimeoutMs`). */
  readonly ms: number;
  /** Run before the first call (connect, create tables); retried by the next call after it failed. */
  start(): Promise<void>;
  /** Strips what a driver error echoes of the data (see {@link withoutFields}). */
  scrub?(error: unknown): unknown;
}

/**
 * Starts `start` at once (a failure surfaces on first use, not unhandled) and
 * returns how to make a call: after `start` succeeded, bounded as a whole by
 * `ms` so the documented bound holds also while the tables are being made.
 */
export function boundedCaller(
  options: BoundedCallerOptions,
): <T>(operation: string, work: () => Promise<T>) => Promise<T> {
  const { server, ms } = options;
  const scrub = options.scrub ?? ((error: unknown) => error);
  const ready = onceUntilFailure(() => withDeadline("connect", server, ms, options.start()));
  // Warm-up: connect now, so the first call does not pay for it.
  ready().catch(() => undefined);
  return (operation, work) =>
    withDeadline(
      operation,
      server,
      ms,
      ready().then(() => work()),
    ).catch((error: unknown) => {
      throw scrub(error);
    });
}

/**
 * `work`, whose failure is ignored once `closed()`: what `unlock` of a lease
 * lock wants when `close()` frees the locks still held (the leases free them
 * anyway, and an outage must not make `close()` fail), while a caller's own
 * release still reports its failure.
 */
export async function bestEffortOnceClosed(closed: () => boolean, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!closed()) throw error;
  }
}
