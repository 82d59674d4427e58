import {
  assertStoreKey,
  isExpired,
  parseRecord,
  readExpiresAt,
  serializeRecord,
  storeClosedError,
} from "./adapter-kit.js";
import { createLeaseLocks } from "./internal/lease-locks.js";
import type { LockOptions, ReleaseLock, SessionStore, SetOptions, StoreCapabilities } from "./store.js";
import type { JsonObject } from "./types.js";

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Clock used for record expiry and lock leases, epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How often a waiting `lock` call checks again, in milliseconds.
   * @default 5
   */
  lockPollMs?: number;
}

/** The reference adapter: one process, everything in a Map. Records are kept as JSON text, like a real backend. */
export interface MemoryStore extends SessionStore {
  lock(key: string, options: LockOptions): Promise<ReleaseLock>;
  list(prefix: string): string[];
}

interface Entry {
  readonly text: string;
  readonly expiresAt: number | undefined;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: true, list: true, nativeExpiry: false });

/**
 * Creates an in-memory {@link SessionStore} with lock and list. Sessions live as
 * long as the process: use it for tests and short scripts.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const pollMs = options.lockPollMs ?? 5;
  const entries = new Map<string, Entry>();
  const locks = createLeaseLocks(now, pollMs);
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw storeClosedError();
  };

  const liveEntry = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && isExpired(entry.expiresAt, now())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    capabilities: CAPABILITIES,
    kind: "memory",
    async get(key) {
      ensureOpen();
      assertStoreKey(key);
      const entry = liveEntry(key);
      return entry ? parseRecord(entry.text, key) : undefined;
    },
    async set(key: string, record: JsonObject, setOptions?: SetOptions) {
      ensureOpen();
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      entries.set(key, { text: serializeRecord(record), expiresAt });
    },
    async delete(key) {
      ensureOpen();
      assertStoreKey(key);
      const existed = liveEntry(key) !== undefined;
      entries.delete(key);
      return existed;
    },
    async lock(key, lockOptions) {
      ensureOpen();
      assertStoreKey(key);
      return locks.lock(key, lockOptions, ensureOpen);
    },
    list(prefix) {
      ensureOpen();
      if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
      const keys: string[] = [];
      for (const key of [...entries.keys()]) {
        if (key.startsWith(prefix) && liveEntry(key)) keys.push(key);
      }
      return keys;
    },
    close() {
      closed = true;
      entries.clear();
      locks.clear();
    },
  };
}
