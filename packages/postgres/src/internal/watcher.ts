import type { StoreChangeListener } from "@sessionstore/core";
import { createNoticeWatch } from "@sessionstore/core/adapter";
import type { PostgresPoolClient } from "../options.js";

/** What the LISTEN side needs from the store. */
export interface WatcherOptions {
  /** Checks a connection out of the store's pool. */
  connect(): Promise<PostgresPoolClient>;
  /** The notification channel (an identifier, already validated). */
  readonly channel: string;
  /** `LISTEN "<channel>"`. */
  readonly listen: string;
  /** This store instance's id: notifications it caused itself are not reported. */
  readonly origin: string;
}

/** The LISTEN connection, open only while at least one listener is subscribed. */
export interface Watcher {
  add(listener: StoreChangeListener): () => void;
  /** This instance read, wrote or deleted `key`: reported each time LISTEN is confirmed (see `createNoticeWatch`). */
  seen(key: string): void;
  /** Ends the LISTEN connection and forgets every listener. */
  close(): void;
}

// Retry delays after the LISTEN connection is lost (a server restart, a
// terminated backend): quick at first, then at most every 5 s, for as long as
// someone watches.
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/** Parses `{"k":key,"o":origin}`; anything else (another program NOTIFYing the channel) is ignored. */
function parsePayload(payload: string | undefined): { key: string; origin: string } | undefined {
  if (payload === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { k, o } = parsed as { k?: unknown; o?: unknown };
    return typeof k === "string" && typeof o === "string" ? { key: k, origin: o } : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the watcher of one store. */
export function createWatcher(options: WatcherOptions): Watcher {
  const changes = createNoticeWatch();
  let client: PostgresPoolClient | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;
  // Bumped on every stop: a connect that finishes after it ends its connection at once.
  let generation = 0;

  const drop = (connection: PostgresPoolClient) => {
    if (client === connection) {
      client = undefined;
      changes.stopped();
    }
    try {
      // true: end it rather than hand a LISTENing connection back to the pool.
      connection.release(true);
    } catch {
      // Already released by a failure path: nothing left to free.
    }
  };

  const scheduleRetry = (forGeneration: number) => {
    if (forGeneration !== generation || !changes.watching || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void start(forGeneration);
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const start = async (forGeneration: number) => {
    let connection: PostgresPoolClient | undefined;
    try {
      connection = await options.connect();
      const lost = () => {
        if (connection) drop(connection);
        scheduleRetry(forGeneration);
      };
      connection.on("error", lost);
      connection.on("end", lost);
      connection.on("notification", (message) => {
        if (message.channel !== options.channel) return;
        const change = parsePayload(message.payload);
        if (change && change.origin !== options.origin) changes.report(change.key);
      });
      if (forGeneration !== generation) {
        drop(connection);
        return;
      }
      client = connection;
      await connection.query(options.listen);
      retryMs = FIRST_RETRY_MS;
      if (client === connection) changes.listening();
    } catch {
      if (connection) drop(connection);
      scheduleRetry(forGeneration);
    }
  };

  const stop = () => {
    generation += 1;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    retryMs = FIRST_RETRY_MS;
    if (client) drop(client);
  };

  return {
    add(listener) {
      // A wrapper per subscription: the same function subscribed twice is two subscriptions.
      const subscription: StoreChangeListener = (change) => listener(change);
      if (changes.add(subscription)) void start(generation);
      return () => {
        if (changes.remove(subscription)) stop();
      };
    },
    seen: changes.seen,
    close() {
      changes.clear();
      stop();
    },
  };
}
