import { createMemoryStore, type JsonObject, type SessionStore, toStoreError } from "@sessionstore/core";

/** A memory store whose backend can be switched off, as a Redis outage would. */
export function createSwitchableStore(): SessionStore & { down: boolean; writes: string[] } {
  const inner = createMemoryStore();
  const state = { down: false, writes: [] as string[] };
  const guard = <T>(operation: string, run: () => T): T => {
    if (state.down) throw toStoreError(new Error("connect ECONNREFUSED 127.0.0.1:6379"), operation);
    return run();
  };
  return Object.assign(state, {
    capabilities: inner.capabilities,
    get: (key: string) => guard("get", () => inner.get(key)),
    set: (key: string, record: JsonObject, options?: { expiresAt?: number }) =>
      guard("set", () => {
        state.writes.push(key);
        return inner.set(key, record, options);
      }),
    delete: (key: string) => guard("delete", () => inner.delete(key)),
    lock: inner.lock,
    list: (prefix: string) => guard("list", () => inner.list(prefix)),
    close: () => inner.close(),
  });
}

/** A store whose writes complete in reverse order of arrival: the manager must still apply them in call order. */
export function createReorderingStore(): SessionStore {
  const inner = createMemoryStore();
  let pending = 0;
  const slow = async <T>(run: () => Promise<T>): Promise<T> => {
    pending += 1;
    const delay = pending === 1 ? 30 : 1;
    await new Promise((resolve) => setTimeout(resolve, delay));
    pending -= 1;
    return run();
  };
  return {
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    set: (key, record, options) => slow(async () => inner.set(key, record, options)),
    delete: (key) => slow(async () => inner.delete(key)),
    close: () => inner.close(),
  };
}
