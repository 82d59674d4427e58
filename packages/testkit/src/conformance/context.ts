import type { Awaitable, SessionStore, StoreCapabilities } from "@sessionstore/core";
import { afterEach } from "vitest";

/** Makes a fresh store for one test. The suite closes every store it opened. */
export type SessionStoreFactory = () => Awaitable<SessionStore>;

/** Options for {@link describeSessionStore}. */
export interface DescribeSessionStoreOptions {
  /**
   * Reads the raw backend at `key` for the store the suite made, so tests check
   * what was really persisted (not only what the store says). Returns the
   * stored text or value, `undefined` when the backend holds nothing there.
   * Without it, the persistence checks are not run.
   */
  inspect?: (store: SessionStore, key: string) => Awaitable<unknown>;
  /**
   * Writes bytes that are not a record (garbage, truncated JSON) straight into
   * the backend at `key`, so the suite can check they surface as
   * `ERR_CORRUPT_RECORD` and leave other keys readable. Without it, the
   * corruption checks are not run.
   */
  corrupt?: (store: SessionStore, key: string) => Awaitable<void>;
  /**
   * Makes a store whose backend is down or unreachable (a closed port, an
   * unwritable directory). Every call on it must reject with
   * `ERR_STORE_UNAVAILABLE`, never resolve as "missing". Without it, only the
   * closed-store checks run.
   */
  unavailable?: () => Awaitable<SessionStore>;
  /**
   * Lease used by the lease-expiry tests, in milliseconds. Raise it for a
   * backend whose clock granularity is coarse.
   * @default 300
   */
  lockTtlMs?: number;
  /**
   * Opens a second store instance over the same backend as `store` (same file,
   * database, namespace or prefix), as another process of the same app would.
   * The watch tests write through it and expect `store`'s listeners to hear
   * of it. Needed only when the factory's stores do not already share a
   * backend (for instance a factory that picks a fresh namespace each call).
   * @default the factory itself
   */
  openPeer?: (store: SessionStore) => Awaitable<SessionStore>;
}

/** What every concern file of the suite gets. */
export interface SuiteContext {
  readonly options: DescribeSessionStoreOptions;
  readonly lockTtlMs: number;
  /** What the store declared; decides which concerns run. */
  readonly capabilities: StoreCapabilities;
  /** A fresh store from the factory, closed after the test. */
  open(): Promise<SessionStore>;
  /** A second instance over the same backend as `store` (see {@link DescribeSessionStoreOptions.openPeer}), closed after the test. */
  openPeer(store: SessionStore): Promise<SessionStore>;
  /** Tracks a store made elsewhere (for instance by `unavailable`) so it is closed after the test. */
  track(store: SessionStore): SessionStore;
}

/** A key no other test (or earlier run against a shared backend) uses. */
export function randomKey(label = "k"): string {
  return `conformance-${label}-${globalThis.crypto.randomUUID()}`;
}

/**
 * A namespace no other test or process uses (valid for `createSessionManager`):
 * adapters' tests use it to share one backend safely.
 */
export function uniqueNamespace(prefix = "t"): string {
  return `${prefix}-${globalThis.crypto.randomUUID().slice(0, 18)}`;
}

/** Builds the context and registers the cleanup hook in the surrounding `describe`. */
export function createSuiteContext(
  factory: SessionStoreFactory,
  options: DescribeSessionStoreOptions,
  capabilities: StoreCapabilities,
): SuiteContext {
  const opened: SessionStore[] = [];
  afterEach(async () => {
    const stores = opened.splice(0);
    // A store a test closed already must accept a second close (contract).
    await Promise.all(stores.map(async (store) => store.close()));
  });
  const track = (store: SessionStore) => {
    opened.push(store);
    return store;
  };
  return {
    options,
    capabilities,
    lockTtlMs: options.lockTtlMs ?? 300,
    track,
    async open() {
      return track(await factory());
    },
    async openPeer(store) {
      return track(await (options.openPeer ? options.openPeer(store) : factory()));
    },
  };
}
