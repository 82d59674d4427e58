import type { StoreChangeListener } from "@sessionstore/core";

/** A node-redis client or cluster as the change feed uses it: a connection of its own for SUBSCRIBE. */
export interface SubscriberConnection {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  destroy(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

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
  /** Tells every other store instance of the namespace that `key` changed. */
  announce(key: string): Promise<void>;
  /** The message {@link announce} publishes for `key` (for a caller that sends it itself). */
  notice(key: string): string;
  watch(listener: StoreChangeListener): () => void;
  /** Stops watching and closes the subscriber connection. */
  close(): void;
}

/**
 * `watch` over Redis pub/sub: each write publishes `{ origin, key }` on one
 * channel per namespace; a subscriber connection exists only while someone
 * watches. Plain PUBLISH/SUBSCRIBE needs no CONFIG (keyspace notifications,
 * which managed Redis often forbids) and reaches every node of a Redis
 * Cluster. Messages carry this instance's origin so its own writes are not
 * reported back to it. A message published while the subscriber was
 * disconnected is lost (pub/sub keeps nothing).
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const origin = globalThis.crypto.randomUUID();
  const listeners = new Set<StoreChangeListener>();
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
    if (typeof k !== "string" || o === origin) return;
    for (const listener of [...listeners]) {
      try {
        listener({ key: k });
      } catch {
        // A throwing listener must not stop the others or the subscriber.
      }
    }
  };

  const stop = () => {
    if (retry !== undefined) clearTimeout(retry);
    retry = undefined;
    const current = subscriber;
    subscriber = undefined;
    // destroy, not close: a subscriber owes no replies, and Redis may be gone.
    if (current?.isOpen) current.destroy();
  };

  const start = () => {
    const connection = options.openSubscriber();
    subscriber = connection;
    // Errors arrive here while node-redis reconnects; the next watch delivery resumes after it.
    connection.on("error", () => undefined);
    connection
      .connect()
      .then(() => connection.subscribe(options.channel, deliver))
      .catch(() => {
        if (subscriber !== connection) return;
        stop();
        if (listeners.size > 0 && !closed) {
          retry = setTimeout(() => {
            retry = undefined;
            if (listeners.size > 0 && !closed && subscriber === undefined) start();
          }, options.retryMs);
          retry.unref?.();
        }
      });
  };

  return {
    async announce(key) {
      await options.publish(options.channel, JSON.stringify({ o: origin, k: key }));
    },
    notice(key) {
      return JSON.stringify({ o: origin, k: key });
    },
    watch(listener) {
      if (closed) return () => undefined;
      listeners.add(listener);
      if (subscriber === undefined && retry === undefined) start();
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0) stop();
      };
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}
