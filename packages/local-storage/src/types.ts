/**
 * The part of the Web Storage API the store uses: `window.localStorage`,
 * `sessionStorage`, or anything shaped like them. Declared here so the types
 * need no DOM lib.
 */
export interface StorageLike {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
}

/** The part of the [Web Locks API](https://w3c.github.io/web-locks/) `LockManager` the store uses (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => T | PromiseLike<T>,
  ): Promise<T>;
  query(): Promise<{ held?: ReadonlyArray<{ name?: string }> }>;
}
