import type { JsonObject, JsonValue } from "../types.js";

/** A record decoded from stored text, with the expiry the text carried. */
export interface DecodedRecord {
  readonly record: JsonObject;
  readonly expiresAt: number | undefined;
}

/** Keys whose last decode is kept, at most: beyond it the oldest is dropped (a server holding many sessions reads a few often). */
const DEFAULT_LIMIT = 1024;

/**
 * The last decoded form of each key's stored text. Decoding is a pure function
 * of the text, and most reads of a session find the text the last read found,
 * so a read of unchanged text skips `JSON.parse` and the envelope check
 * (measured: ~12% of the Redis store's CPU per `get`). Every caller gets its
 * own copy: one changing its record cannot change the next one's. Writes and
 * deletes through the store forget the key, so a logged-out session's tokens
 * are not kept here.
 */
export interface DecodedRecords {
  /** `decode(text, key)`, or a copy of its earlier result when `key` last decoded the same text. */
  decode(key: string, text: string, decode: (text: string, key: string) => DecodedRecord): DecodedRecord;
  /** Drops what is kept for `key`. */
  forget(key: string): void;
  /** Drops everything. */
  clear(): void;
}

/** A deep copy of JSON data (strings are immutable and shared: copying is cheap next to parsing). */
function copyJson<T extends JsonValue>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const entry = copyJson((value as Record<string, JsonValue>)[key] as JsonValue);
    // JSON.parse makes `__proto__` an own field; assigning it would set the copy's prototype instead.
    if (key === "__proto__")
      Object.defineProperty(copy, key, { value: entry, enumerable: true, writable: true, configurable: true });
    else copy[key] = entry;
  }
  return copy as T;
}

/** Creates the cache of one store; `limit` keys at most. */
export function createDecodedRecords(limit = DEFAULT_LIMIT): DecodedRecords {
  const kept = new Map<string, { readonly text: string; readonly decoded: DecodedRecord }>();
  return {
    decode(key, text, decode) {
      const last = kept.get(key);
      if (last !== undefined && last.text === text) {
        return { record: copyJson(last.decoded.record), expiresAt: last.decoded.expiresAt };
      }
      const decoded = decode(text, key);
      if (last === undefined && kept.size >= limit) {
        const [oldest] = kept.keys();
        if (oldest !== undefined) kept.delete(oldest);
      }
      // The caller keeps `decoded`; the cache keeps a copy of its own.
      kept.set(key, { text, decoded: { record: copyJson(decoded.record), expiresAt: decoded.expiresAt } });
      return decoded;
    },
    forget(key) {
      kept.delete(key);
    },
    clear() {
      kept.clear();
    },
  };
}
