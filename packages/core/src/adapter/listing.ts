import { toStoreError } from "../errors.js";
import type { Awaitable } from "../types.js";
import { assertListPageOptions, assertStoreKey } from "./helpers.js";
import type { DefinedStore, StoreBackend, StoredEntry } from "./store-backend.js";

/** What {@link attachListing} borrows from the store {@link defineStore} is building. */
export interface ListingParts {
  readonly backend: StoreBackend;
  readonly syncList: boolean;
  ensureOpen(): void;
  run<T>(operation: string, body: () => Awaitable<T>): Promise<T>;
  describe(operation: string): string;
  /** Whether `entry` holds a live record (expiry checked the store's one way). */
  isLive(entry: StoredEntry, key: string): boolean;
}

type Entries = Iterable<readonly [string, StoredEntry | undefined]>;

/**
 * Adds `list` and `listPage` to `store` when the backend offers them, with
 * the checks both share written once: closed state, the prefix, the page
 * options, and expired records left out (an entry of `undefined` is one the
 * backend already filtered).
 */
export function attachListing(store: DefinedStore, parts: ListingParts): void {
  const { backend, ensureOpen, run, describe, isLive } = parts;
  const liveKeys = (entries: Entries): string[] => {
    const keys: string[] = [];
    for (const [key, entry] of entries) if (entry === undefined || isLive(entry, key)) keys.push(key);
    return keys;
  };
  const guardPrefix = (prefix: string) => {
    ensureOpen();
    // The empty prefix is allowed: it lists every key (the CLI finds namespaces so).
    if (typeof prefix !== "string") assertStoreKey(prefix, "prefix");
  };
  const { list, listPage } = backend;
  if (list) {
    store.list = parts.syncList
      ? (prefix: string) => {
          guardPrefix(prefix);
          try {
            return liveKeys(list.call(backend, prefix) as Entries);
          } catch (error) {
            throw toStoreError(error, describe("list"));
          }
        }
      : async (prefix: string) => {
          guardPrefix(prefix);
          return liveKeys(await run("list", () => list.call(backend, prefix)));
        };
  }
  if (listPage) {
    store.listPage = async (prefix, options) => {
      guardPrefix(prefix);
      const request = assertListPageOptions(options);
      const page = await run("list page", () => listPage.call(backend, prefix, request));
      const keys = liveKeys(page.entries);
      return page.cursor === undefined ? { keys } : { keys, cursor: page.cursor };
    };
  }
}
