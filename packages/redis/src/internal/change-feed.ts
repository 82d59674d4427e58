import type { StoreChangeListener } from "@sessionstore/core";
import { createNoticeWatch } from "@sessionstore/core/adapter";

/** A node-redis client or cluster as the change feed uses it: a connection of its own for SUBSCRIBE. */
export interface SubscriberConnection {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  destroy(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
  /** node-redis emits it once connected, and again after each reconnect once its channels are subscribed again. */
  on(event: "ready", listener: () => void): unknown;
}

/** Keys one notice names at most: a turn with more writes sends more notices. */
const MAX_KEYS_PER_NOTICE = 500;

function ignore(): void {}

/** What the feed needs from the store. */
export interface ChangeFeedOptions {
  /** The channel every store of the namespace publishes to and listens on. */
  readonly channel: string;
  /** Opens a new, not yet connected, connection for SUBSCRIBE (a subscribed connection can send nothing else). */
  readonly openSubscriber: () => SubscriberConnection;
  /** Sends PUBLISH on the store's command connection. */
  readonly publish: (channel: string, message: string) => Promise<unknown>;
  /** How long to wait before trying again when the subscriber could not connect. */
  readonly retryMs: number;
}

/** The store's side of `watch`: announce own changes, report the others'. */
export interface ChangeFeed {
  /**
   * Tells every other store instance of the namespace that `key` changed.
   * Keys announced in the same turn of the event loop share one PUBLISH,
   * sent once that turn's promise jobs have run: after every command they
   * issued (a SET announced here is already queued, so on one connection
   * Redis runs it first). Resolves when that PUBLISH is answered or has
   * failed: a lost notice only means other instances learn of the change at
   * their next read (a refresh re-reads under the lock anyway), so no write
   * fails for it, and no write needs a rejection handler of its own.
   */
  announce(key: string): Promise<void>;
  /** This instance read, wrote or deleted `key`: reported each time the SUBSCRIBE is confirmed (see `createNoticeWatch`). */
  seen(key: string): void;
  watch(listener: StoreChangeListener): () => void;
  /** Stops watching and closes the subscriber connection. */
  close(): void;
}

/**
 * `watch` over Redis pub/sub: writes publish `{ o: origin, k: key }` (or
 * `k: [keys]` for the writes of one turn) on one channel per namespace; a
 * subscriber connection exists only while someone watches. One PUBLISH per
 * turn, not per write: a PUBLISH costs Redis and the client about what a SET
 * does, so 50 concurrent writes paid for 100 commands. Plain PUBLISH/SUBSCRIBE needs no CONFIG (keyspace notifications,
 * which managed Redis often forbids) and reaches every node of a Redis
 * Cluster. Messages carry this instance's origin so its own writes are not
 * reported back to it. Pub/sub keeps nothing: a message published before the
 * SUBSCRIBE was confirmed, or while a subscribed connection was reconnecting,
 * is lost, so the keys this instance used while watching are reported each
 * time the subscription is confirmed (see `createNoticeWatch`).
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const origin = globalThis.crypto.randomUUID();
  const changes = createNoticeWatch();
  let subscriber: SubscriberConnection | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const deliver = (message: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return; // not ours: someone else published on the channel
    }
    if (typeof parsed !== "object" || parsed === null) return;
    const { o, k } = parsed as { o?: unknown; k?: unknown };
    if (o === origin) return;
    const changed = typeof k === "string" ? [k] : Array.isArray(k) ? k.filter((key) => typeof key === "string") : [];
    for (const key of changed) changes.report(key);
  };

  // The keys of the turn not yet published, and the promise their PUBLISH settles.
  let batch: { keys: Set<string>; sent: Promise<void> } | undefined;
  const send = (keys: Set<string>) => {
    const [only] = keys;
    const message = JSON.stringify({ o: origin, k: keys.size === 1 ? only : [...keys] });
    return options.publish(options.channel, message).then(ignore, ignore);
  };
  const startBatch = () => {
    const keys = new Set<string>();
    let settle: (sent: Promise<void>) => void = () => undefined;
    const current = {
      keys,
      sent: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    // nextTick runs once the promise jobs of this turn are done, before node-redis writes
    // the turn's commands (setImmediate): the PUBLISH joins that same socket write.
    process.nextTick(() => {
      if (batch === current) batch = undefined;
      settle(send(keys));
    });
    return current;
  };

  const stop = () => {
    if (retry !== undefined) clearTimeout(retry);
    retry = undefined;
    const current = subscriber;
    subscriber = undefined;
    changes.stopped();
    // destroy, not close: a subscriber owes no replies, and Redis may be gone.
    if (current?.isOpen) current.destroy();
  };

  const start = () => {
    const connection = options.openSubscriber();
    subscriber = connection;
    let subscribed = false;
    // node-redis reports a dropped connection here, reconnects by itself and subscribes again
    // before its next "ready". Notices published in between are lost: the kept keys are reported then.
    connection.on("error", () => {
      if (subscriber === connection && subscribed) changes.stopped();
    });
    connection.on("ready", () => {
      if (subscriber === connection && subscribed) changes.listening();
    });
    connection
      .connect()
      .then(() => connection.subscribe(options.channel, deliver))
      .then(() => {
        subscribed = true;
        if (subscriber === connection) changes.listening();
      })
      .catch(() => {
        if (subscriber !== connection) return;
        stop();
        if (changes.watching && !closed) {
          retry = setTimeout(() => {
            retry = undefined;
            if (changes.watching && !closed && subscriber === undefined) start();
          }, options.retryMs);
          retry.unref?.();
        }
      });
  };

  return {
    announce(key) {
      // A full batch is sent at its turn's end anyway; the next keys start another (one message stays small).
      if (batch === undefined || batch.keys.size >= MAX_KEYS_PER_NOTICE) batch = startBatch();
      batch.keys.add(key);
      return batch.sent;
    },
    seen: changes.seen,
    watch(listener) {
      if (closed) return () => undefined;
      changes.add(listener);
      if (subscriber === undefined && retry === undefined) start();
      return () => {
        if (changes.remove(listener)) stop();
      };
    },
    close() {
      closed = true;
      changes.clear();
      stop();
    },
  };
}
