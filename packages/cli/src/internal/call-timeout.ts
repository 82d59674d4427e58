import {
  type ListPageOptions,
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  SessionStoreError,
  type StoreChangeListener,
} from "@sessionstore/core";

/**
 * Bounds every call to `store` by `timeoutMs`. Adapters pass their own
 * connect/command timeouts to the backend; this is the CLI's last line, so a
 * command never hangs whatever the adapter does.
 */
export function withCallTimeout(store: SessionStore, timeoutMs: number): SessionStore {
  const bounded = <T>(operation: string, call: () => T | PromiseLike<T>, extraMs = 0): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const limitMs = timeoutMs + extraMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SessionStoreError(
              "ERR_STORE_UNAVAILABLE",
              `the store did not answer ${operation} within ${limitMs} ms`,
            ),
          ),
        limitMs,
      );
    });
    return Promise.race([Promise.resolve().then(call), timeout]).finally(() => clearTimeout(timer));
  };
  const list = store.list;
  const listPage = store.listPage;
  const lock = store.lock;
  const watch = store.watch;
  // A lock may wait its own waitMs before the bound starts to count. One taken
  // after we gave up is released at once, not left to block others for its lease.
  const boundedLock = (take: NonNullable<SessionStore["lock"]>, key: string, options: LockOptions) => {
    const pending = Promise.resolve().then(() => take.call(store, key, options));
    let gaveUp = false;
    pending.then(
      (release) => (gaveUp ? release().catch(() => undefined) : undefined),
      () => undefined,
    );
    const waitMs = Number.isFinite(options?.waitMs) ? options.waitMs : 0;
    return bounded<ReleaseLock>("lock", () => pending, waitMs).catch((error: unknown) => {
      gaveUp = true;
      throw error;
    });
  };
  return {
    get capabilities() {
      return store.capabilities;
    },
    // Read through, so the client's traces and debug log name the real backend.
    get kind() {
      return store.kind;
    },
    get: (key) => bounded("get", () => store.get(key)),
    set: (key, record, options) => bounded("set", () => store.set(key, record, options)),
    delete: (key) => bounded("delete", () => store.delete(key)),
    ...(list ? { list: (prefix: string) => bounded("list", () => list.call(store, prefix)) } : {}),
    ...(listPage
      ? {
          listPage: (prefix: string, options: ListPageOptions) =>
            bounded("list page", () => listPage.call(store, prefix, options)),
        }
      : {}),
    // Passed on, so `delete` and `clear` wait for the lock a refresh in another process holds.
    ...(lock ? { lock: (key: string, options: LockOptions) => boundedLock(lock, key, options) } : {}),
    // Subscribing is synchronous and waits on nothing, so there is nothing to bound;
    // dropping it would make a store that says `capabilities.watch` lack the member.
    ...(watch ? { watch: (listener: StoreChangeListener) => watch.call(store, listener) } : {}),
    close: () => bounded("close", () => store.close()),
  };
}
