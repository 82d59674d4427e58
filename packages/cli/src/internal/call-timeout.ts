import { type SessionStore, SessionStoreError } from "@sessionstore/core";

/**
 * Bounds every call to `store` by `timeoutMs`. Adapters pass their own
 * connect/command timeouts to the backend; this is the CLI's last line, so a
 * command never hangs whatever the adapter does.
 */
export function withCallTimeout(store: SessionStore, timeoutMs: number): SessionStore {
  const bounded = <T>(operation: string, call: () => T | PromiseLike<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SessionStoreError(
              "ERR_STORE_UNAVAILABLE",
              `the store did not answer ${operation} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([Promise.resolve().then(call), timeout]).finally(() => clearTimeout(timer));
  };
  const list = store.list;
  return {
    get capabilities() {
      return store.capabilities;
    },
    get: (key) => bounded("get", () => store.get(key)),
    set: (key, record, options) => bounded("set", () => store.set(key, record, options)),
    delete: (key) => bounded("delete", () => store.delete(key)),
    ...(list ? { list: (prefix: string) => bounded("list", () => list.call(store, prefix)) } : {}),
    close: () => bounded("close", () => store.close()),
  };
}
