import { assertNamespace, SessionStoreError } from "@sessionstore/core";

/**
 * What the store needs to recognise a node-redis v5 client (`createClient()`
 * from `@redis/client` or `redis`) or cluster (`createCluster()`). Kept
 * structural on purpose: node-redis client types are generic over modules,
 * scripts and RESP version, and two installed copies of `@redis/client` do not
 * accept each other's classes, so a nominal type would refuse working clients.
 */
export interface RedisStoreClient {
  /** `true` from `connect()` until `close()`/`destroy()`, also while reconnecting. */
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  withCommandOptions(options: { timeout?: number }): unknown;
}

/** Options for {@link createRedisStore}. Give at most one of `url`, `client` and `nodes`. */
export interface RedisStoreOptions {
  /**
   * Where Redis is (`redis[s]://[[user][:password]@]host[:port][/db]`). The
   * store creates its own client, owns it and closes it in `close()`.
   * @default "redis://localhost:6379" (when neither `client` nor `nodes` is given)
   */
  url?: string | undefined;
  /**
   * A node-redis v5 client or cluster you created. It must be open (you called
   * `connect()`); the store never connects, closes or reconfigures it, and adds
   * no listener to it, so any number of stores can share it. Attach your own
   * `'error'` listener: node-redis emits one per failed reconnect.
   */
  client?: RedisStoreClient | undefined;
  /**
   * Redis Cluster root nodes (`redis://host:port` URLs, at least one; the rest
   * of the topology is discovered). The store creates and owns the cluster client.
   */
  nodes?: readonly string[] | undefined;
  /**
   * Prefix of every Redis key this store writes: records live under
   * `<keyPrefix>:record:` and locks under `<keyPrefix>:lock:`. 1-64 characters
   * of letters, digits, `.` and `-` (so it is inert in a SCAN pattern). Not
   * the session namespace of `createSessionManager` (which goes into each key
   * after this prefix).
   * @default "sessionstore"
   */
  keyPrefix?: string | undefined;
  /**
   * @deprecated Renamed {@link RedisStoreOptions.keyPrefix} (it was easily
   * confused with the session namespace); still honoured, with a one-time warning.
   */
  namespace?: string | undefined;
  /**
   * How long a call waits for Redis to be reachable (first connect, or
   * reconnect after an outage) before failing with `ERR_STORE_UNAVAILABLE`.
   * Also the TCP connect timeout of a client the store creates.
   * @default 2000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * How long one Redis command may take before the call fails with
   * `ERR_STORE_UNAVAILABLE`. A call therefore settles within
   * `connectTimeoutMs + commandTimeoutMs`.
   * @default 2000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * How often a `lock()` waiting for a lock held elsewhere tries again, in milliseconds.
   * @default 25
   */
  lockPollMs?: number | undefined;
}

/** The URL used when no `url`, `client` or `nodes` is given. */
export const DEFAULT_REDIS_URL = "redis://localhost:6379";
/** The key prefix used when no `keyPrefix` is given. */
export const DEFAULT_REDIS_KEY_PREFIX = "sessionstore";
/** @deprecated Renamed {@link DEFAULT_REDIS_KEY_PREFIX}. */
export const DEFAULT_REDIS_NAMESPACE = DEFAULT_REDIS_KEY_PREFIX;

let warnedNamespace = false;

/** The key prefix from `keyPrefix`, or from its deprecated alias `namespace` (warned about once per process). */
function keyPrefixOf(given: RedisStoreOptions): string {
  const { keyPrefix, namespace } = given;
  if (namespace === undefined) return keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  if (keyPrefix !== undefined && keyPrefix !== namespace) {
    throw invalid(
      "namespace",
      "is the deprecated name of options.keyPrefix: give one of them, not two different values",
    );
  }
  if (!warnedNamespace) {
    warnedNamespace = true;
    process.emitWarning(
      "@sessionstore/redis: options.namespace is deprecated, use options.keyPrefix (the Redis key prefix; the session namespace is createSessionManager's)",
      { type: "DeprecationWarning", code: "SESSIONSTORE_REDIS_NAMESPACE" },
    );
  }
  return namespace;
}

/** Where the store's connection comes from. */
export type RedisSource =
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "client"; readonly client: RedisStoreClient }
  | { readonly kind: "nodes"; readonly nodes: readonly string[] };

/** Options with defaults applied and every field checked. */
export interface ResolvedRedisOptions {
  readonly source: RedisSource;
  readonly keyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly lockPollMs: number;
}

// setTimeout overflows above this and fires at once.
const MAX_TIMER_MS = 2_147_483_647;

function invalid(field: string, message: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `${field} ${message}`, { field });
}

function positiveMs(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw invalid(field, `must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`);
  }
  return value;
}

// Never echo the URL: it may carry a password.
function assertRedisUrl(url: unknown, field: string): asserts url is string {
  if (typeof url !== "string" || !/^rediss?:\/\/./i.test(url)) {
    throw invalid(field, "must be a redis:// or rediss:// URL");
  }
  try {
    new URL(url);
  } catch {
    throw invalid(field, "must be a redis:// or rediss:// URL");
  }
}

function isRedisStoreClient(value: unknown): value is RedisStoreClient {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.isOpen === "boolean" &&
    typeof candidate.connect === "function" &&
    typeof candidate.withCommandOptions === "function" &&
    typeof candidate.on === "function"
  );
}

function resolveSource(options: RedisStoreOptions): RedisSource {
  const given = (["url", "client", "nodes"] as const).filter((field) => options[field] !== undefined);
  if (given.length > 1)
    throw invalid("options", `must give only one of url, client and nodes (got ${given.join(", ")})`);
  if (options.client !== undefined) {
    if (!isRedisStoreClient(options.client)) throw invalid("client", "must be a node-redis v5 client or cluster");
    return { kind: "client", client: options.client };
  }
  if (options.nodes !== undefined) {
    const nodes: unknown = options.nodes;
    if (!Array.isArray(nodes) || nodes.length === 0) throw invalid("nodes", "must be a non-empty array of URLs");
    for (const [index, node] of nodes.entries()) assertRedisUrl(node, `nodes[${index}]`);
    return { kind: "nodes", nodes: [...(nodes as string[])] };
  }
  const url = options.url ?? DEFAULT_REDIS_URL;
  assertRedisUrl(url, "url");
  return { kind: "url", url };
}

/** Applies defaults and validates; throws `ERR_INVALID_ARGUMENT` naming the field. */
export function resolveRedisOptions(options: unknown): ResolvedRedisOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw invalid("options", "must be an object");
  }
  const given = (options ?? {}) as RedisStoreOptions;
  const keyPrefix = keyPrefixOf(given);
  try {
    assertNamespace(keyPrefix);
  } catch (error) {
    throw invalid(
      given.keyPrefix === undefined ? "namespace" : "keyPrefix",
      (error as Error).message.replace(/^namespace /, ""),
    );
  }
  return {
    source: resolveSource(given),
    keyPrefix,
    connectTimeoutMs: positiveMs(given.connectTimeoutMs, "connectTimeoutMs", 2000),
    commandTimeoutMs: positiveMs(given.commandTimeoutMs, "commandTimeoutMs", 2000),
    lockPollMs: positiveMs(given.lockPollMs, "lockPollMs", 25),
  };
}
