/**
 * Where a store's records and locks live in Redis. Records and locks get
 * sub-spaces of their own under the namespace, so no record key (keys are
 * arbitrary strings) can ever name a lock, and a SCAN of the record space
 * never meets a lock.
 */
export interface RedisKeySpace {
  /** Every record key starts with this: `<namespace>:record:`. */
  readonly recordPrefix: string;
  /** Every lock key starts with this: `<namespace>:lock:`. */
  readonly lockPrefix: string;
  /** The pub/sub channel `watch` listens on: `<namespace>:changes` (a channel, never a key). */
  readonly changes: string;
  record(key: string): string;
  lock(key: string): string;
}

/** The key space of `namespace` (already validated). */
export function redisKeySpace(namespace: string): RedisKeySpace {
  const recordPrefix = `${namespace}:record:`;
  const lockPrefix = `${namespace}:lock:`;
  return {
    recordPrefix,
    lockPrefix,
    changes: `${namespace}:changes`,
    record: (key) => `${recordPrefix}${key}`,
    lock: (key) => `${lockPrefix}${key}`,
  };
}

/**
 * Escapes the characters Redis glob patterns (SCAN MATCH) give a meaning to,
 * so `text` matches only itself. Redis' matcher treats `\x` as a literal `x`
 * for any x, so escaping `* ? [ ] \` is enough (`^` and `-` only mean
 * something inside brackets, which can no longer open).
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
