import { createClient, createCluster } from "@redis/client";
import { SessionStoreError } from "@sessionstore/core";
import type { ResolvedRedisOptions } from "../options.js";
import type { SubscriberConnection } from "./change-feed.js";
import { settleWithin, withDeadline } from "./deadline.js";
import type { ScriptRunner } from "./lock-scripts.js";
import { type RecordCommands, rawSender, recordCommands } from "./record-commands.js";

/** The commands the store sends itself, narrowed to the node-redis v5 signatures we use. */
export interface RedisCommands extends ScriptRunner {
  get(key: string): Promise<unknown>;
  set(
    key: string,
    value: string,
    options?: { condition?: "NX"; expiration?: { type: "PX"; value: number } },
  ): Promise<unknown>;
  unlink(key: string): Promise<number>;
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: unknown; keys: unknown[] }>;
  publish(channel: string, message: string): Promise<unknown>;
}

type Listener = (...args: unknown[]) => void;

/** What node-redis v5 clients and clusters share (both are EventEmitters). */
interface NodeRedisBase {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  withCommandOptions(options: object): unknown;
  duplicate(): unknown;
}

interface NodeRedisClient extends NodeRedisBase {
  readonly isReady: boolean;
}

interface NodeRedisCluster extends NodeRedisBase {
  readonly masters: readonly unknown[];
  nodeClient(node: unknown): Promise<NodeRedisBase>;
}

function isCluster(client: NodeRedisBase): client is NodeRedisCluster {
  return typeof (client as Partial<NodeRedisCluster>).nodeClient === "function" && "masters" in client;
}

/** The store's handle on Redis: readiness, commands, lifecycle. */
export interface RedisConnection {
  /** Whether the store created the client (and so closes it). */
  readonly owned: boolean;
  /** Whether this is a Redis Cluster (commands of one caller may go to different nodes). */
  readonly cluster: boolean;
  /** Commands as the store sends them (string replies); the store bounds each call itself. */
  readonly commands: RedisCommands;
  /** GET and SET of records and the PUBLISH of their notices, sent the cheapest way (see {@link recordCommands}). */
  readonly records: RecordCommands;
  /** `commands`, as an object to hand to `@keyv/redis` (see {@link keyvClientView}). */
  readonly keyvClient: object;
  /** Whether Redis can take commands right now (then `ready()` has nothing to wait for). */
  isReady(): boolean;
  /** Resolves once Redis can take commands; `ERR_STORE_UNAVAILABLE` after `connectTimeoutMs`. */
  ready(): Promise<void>;
  /** One command target per master (one for a single server): SCAN is per node. */
  scanTargets(): Promise<RedisCommands[]>;
  /** A new, unconnected client (or cluster) like this one, for SUBSCRIBE; whoever opens it closes it. */
  duplicate(): SubscriberConnection;
  /** Closes the client if the store created it; leaves a client passed in alone. */
  close(): Promise<void>;
}

function unavailable(message: string, cause: unknown): SessionStoreError {
  return new SessionStoreError("ERR_STORE_UNAVAILABLE", message, { cause: cause ?? new Error(message) });
}

// Exponential back-off capped at 1 s, so the store notices a returning Redis
// within about a second. Never gives up: a store outlives any outage.
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 1000) + Math.floor(Math.random() * 50);
}

/**
 * @param inUse whether the store was called yet: before that the connection
 * is only warming up, and a failed attempt ends it (no retry timers keeping an
 * unused store's process alive); the first call connects again, with retries.
 */
function createOwnedClient(options: ResolvedRedisOptions, inUse: () => boolean): NodeRedisBase {
  const { source, connectTimeoutMs } = options;
  // Without the offline queue node-redis rejects commands while disconnected
  // instead of holding them until Redis returns (possibly never).
  const clientDefaults = {
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => (inUse() ? reconnectDelay(retries) : false),
    },
  };
  if (source.kind === "nodes") {
    return createCluster({
      rootNodes: source.nodes.map((url) => ({ url })),
      defaults: clientDefaults,
    }) as unknown as NodeRedisBase;
  }
  if (source.kind !== "url") throw new TypeError("a client passed in is not created by the store");
  return createClient({
    url: source.url,
    ...clientDefaults,
  }) as unknown as NodeRedisBase;
}

// One waiter per client and set of events, shared by every call and store on it:
// while Redis is down, however many calls wait, a client gets at most one
// listener per event (100 writes on a cold store added 100 'error' listeners).
const waiters = new WeakMap<object, Map<string, Promise<void>>>();

/** Settles at the client's next `events` (the first of them). */
function nextOf(client: NodeRedisClient, events: readonly ("ready" | "end" | "error")[]): Promise<void> {
  let byEvents = waiters.get(client);
  if (!byEvents) {
    byEvents = new Map();
    waiters.set(client, byEvents);
  }
  const id = events.join();
  let waiter = byEvents.get(id);
  if (!waiter) {
    const shared = byEvents;
    waiter = new Promise<void>((resolve) => {
      const settle = () => {
        for (const event of events) client.off(event, settle);
        shared.delete(id);
        resolve();
      };
      for (const event of events) client.on(event, settle);
    });
    byEvents.set(id, waiter);
  }
  return waiter;
}

/**
 * A view of `commands` for `@keyv/redis`, whose event and lifecycle methods do
 * nothing. `KeyvRedis` adds four listeners to its client when constructed and
 * again each time it connects it (so stores sharing a client would pile them
 * up), connects a closed client on its own, and destroys the client when that
 * connect fails. The store owns the lifecycle instead; commands go through.
 */
export function keyvClientView(commands: object): object {
  const inert = { value: () => undefined };
  return Object.create(commands, {
    on: {
      value: function on(this: object) {
        return this;
      },
    },
    once: {
      value: function once(this: object) {
        return this;
      },
    },
    connect: { value: () => Promise.reject(new Error("Redis client is not open")) },
    close: { value: () => Promise.resolve() },
    quit: { value: () => Promise.resolve() },
    destroy: inert,
    disconnect: { value: () => Promise.resolve() },
  }) as object;
}

/**
 * Opens the connection described by `options`. A client the store creates
 * starts connecting at once (warm-up), so the first call does not pay for the
 * connection (like any open connection, it keeps the process alive until
 * `close()`). A client passed in is left as it is.
 */
export function openRedisConnection(options: ResolvedRedisOptions): RedisConnection {
  const { source, connectTimeoutMs, commandTimeoutMs } = options;
  const owned = source.kind !== "client";
  let used = false;
  const client: NodeRedisBase =
    source.kind === "client" ? (source.client as unknown as NodeRedisBase) : createOwnedClient(options, () => used);
  let lastError: unknown;
  let connecting: Promise<unknown> | undefined;
  let closed = false;

  // Called before every command: from the first one on, a failed attempt is retried (see createOwnedClient).
  const markUsed = () => {
    used = true;
  };

  if (owned) {
    // We created it, so an 'error' event nobody listens to would be ours to
    // crash the process with; remember it as the cause of the next failure.
    const remember: Listener = (error) => {
      lastError = error;
    };
    client.on("error", remember);
    if (isCluster(client)) client.on("node-error", remember);
  }

  // typeMapping {}: a client passed in may map replies to Buffers through its
  // client-wide commandOptions; keyv only parses strings and would answer
  // "missing" for a Buffer. Per-command options override the client's.
  // No node-redis `timeout`: it costs an AbortSignal.timeout() and an abort
  // listener per command (on Node 20 that alone cut GET throughput at 50
  // callers about fivefold), and the store already bounds every call with
  // its own deadline (withDeadline). Commands are only sent once the client is
  // ready; one caught by a disconnect on a client passed in with the offline
  // queue on may still run after reconnecting, like any abandoned command.
  const commandOptions = { typeMapping: {} };
  const commands = client.withCommandOptions(commandOptions) as RedisCommands;

  // Resolves to the connect error, or undefined: never rejects, so no caller
  // who gave up waiting leaves an unhandled rejection behind.
  const connect = (): Promise<unknown> => {
    connecting ??= client.connect().then(
      () => {
        connecting = undefined;
        return undefined;
      },
      (error: unknown) => {
        connecting = undefined;
        lastError = error;
        return error;
      },
    );
    return connecting;
  };

  const notOpen = () =>
    unavailable(
      "the Redis client passed in is not open: call connect() on it before using the store",
      new Error("client is not open"),
    );
  // A refused password is not an outage: say so, or the user hunts for a network problem.
  const unreachable = () =>
    isAuthFailure(lastError)
      ? unavailable("Redis authentication failed: check the user name and password", lastError)
      : unavailable(`Redis was not reachable within ${connectTimeoutMs} ms (connectTimeoutMs)`, lastError);

  const clientReady = async (single: NodeRedisClient) => {
    const deadline = Date.now() + connectTimeoutMs;
    while (!single.isReady) {
      if (closed) throw unavailable("the connection was closed", new Error("closed"));
      if (!single.isOpen) {
        if (!owned) throw notOpen();
        void connect();
      }
      const left = deadline - Date.now();
      // Retrying cannot fix a refused password: fail at once instead of after the whole bound.
      if (left <= 0 || isAuthFailure(lastError)) throw unreachable();
      // Our own client also wakes on its next error, so a refused password is reported at once.
      await settleWithin(nextOf(single, owned ? ["ready", "end", "error"] : ["ready", "end"]), left);
    }
  };

  const clusterReady = async (cluster: NodeRedisCluster) => {
    // isOpen turns true when connect() starts, before the slots are known:
    // a call racing our own connect must wait for it to finish.
    if (cluster.isOpen && connecting === undefined) return;
    if (!owned) throw notOpen();
    const outcome = await settleWithin(connect(), connectTimeoutMs);
    if (!outcome.settled) throw unreachable();
    if (outcome.value !== undefined) throw unavailable("could not connect to the Redis cluster", outcome.value);
  };

  if (owned) {
    // Never rejects (see connect); a failure is remembered and reported by the first call.
    void connect();
  }

  return {
    owned,
    cluster: isCluster(client),
    commands,
    records: recordCommands(commands, isCluster(client) ? undefined : rawSender(client), commandOptions),
    keyvClient: keyvClientView(commands as object),
    isReady: () => {
      markUsed();
      return (
        !closed && (isCluster(client) ? client.isOpen && connecting === undefined : (client as NodeRedisClient).isReady)
      );
    },
    ready: () => {
      markUsed();
      return isCluster(client) ? clusterReady(client) : clientReady(client as NodeRedisClient);
    },
    async scanTargets() {
      if (!isCluster(client)) return [commands];
      const nodes = await Promise.all(client.masters.map((master) => client.nodeClient(master)));
      return nodes.map((node) => node.withCommandOptions(commandOptions) as RedisCommands);
    },
    duplicate: () => client.duplicate() as SubscriberConnection,
    async close() {
      if (closed) return;
      closed = true;
      if (!owned || !client.isOpen) return;
      const connected = isCluster(client) || (client as NodeRedisClient).isReady;
      try {
        // close() waits for replies still owed; bounded, because Redis may be gone.
        if (connected) await withDeadline("close", commandTimeoutMs, client.close());
      } catch {
        // Falls through to destroy: closing must not fail because Redis is down.
      }
      if (client.isOpen) client.destroy();
    },
  };
}

/** Whether Redis refused the connection's credentials (WRONGPASS, NOAUTH, or AUTH against a server without a password). */
function isAuthFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return (
    /^(WRONGPASS|NOAUTH)\b/.test(message) || /AUTH <password> called without any password configured/i.test(message)
  );
}
