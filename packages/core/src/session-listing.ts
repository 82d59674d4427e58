import { invalidOption } from "./adapter/option-checks.js";
import { isSessionStoreError, SessionStoreError, toStoreError } from "./errors.js";
import { parseSessionKey } from "./keys.js";
import type { SessionInfo } from "./session-manager-types.js";
import { decodeSession } from "./session-record.js";
import { canList, canListPages, type KeyPage, type SessionStore } from "./store.js";
import type { Awaitable } from "./types.js";

/** Options for {@link SessionManager.listPages}. */
export interface ListPagesOptions {
  /**
   * Sessions per page: the records of one page are read concurrently (one
   * round of requests to the store), and no more than one page is held.
   * @default 100
   */
  pageSize?: number;
}

/** Default {@link ListPagesOptions.pageSize}. */
export const DEFAULT_LIST_PAGE_SIZE = 100;

/** What `list` reports for one key; `undefined` when the record is gone (or not a session key). */
async function readInfo(store: SessionStore, key: string): Promise<SessionInfo | undefined> {
  const parts = parseSessionKey(key);
  if (!parts) return undefined;
  const base = { key, subject: parts.subject, authType: parts.authType };
  try {
    const record = await store.get(key);
    if (record === undefined) return undefined;
    const { auth, updatedAt } = decodeSession(record, key);
    return {
      ...base,
      updatedAt,
      refreshable: auth.refreshToken !== undefined,
      ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
    };
  } catch (error) {
    // One unreadable record (garbage, or encrypted with a key we lack) must not hide the others.
    if (isSessionStoreError(error, "ERR_CORRUPT_RECORD") || isSessionStoreError(error, "ERR_DECRYPT")) {
      return { ...base, refreshable: false, corrupt: true };
    }
    throw toStoreError(error, "get");
  }
}

/**
 * Where the keys come from, in batches of about `limit`: the store's
 * `listPage` walk, or (a store without it) its one `list` array.
 */
export type KeyBatches = (limit: number) => AsyncIterable<string[]>;

/**
 * The keys under `prefix` in batches: one `listPage` call per batch when the
 * store pages (the first page costs one page, not the whole list), else one
 * `list` call. `call` runs each store call (the manager maps its errors).
 */
export function keyBatches(
  store: SessionStore,
  prefix: string,
  call: <T>(operation: string, run: () => Awaitable<T>) => Promise<T>,
): KeyBatches {
  return async function* batches(limit) {
    if (!canList(store)) {
      throw new SessionStoreError("ERR_UNSUPPORTED", "this store cannot list its keys (capabilities.list is false)");
    }
    if (!canListPages(store)) return yield await call("list", () => store.list(prefix));
    let cursor: string | undefined;
    do {
      const page: KeyPage = await call("list page", () => store.listPage(prefix, { cursor, limit }));
      cursor = page.cursor;
      yield page.keys;
    } while (cursor !== undefined);
  };
}

/**
 * The sessions under the keys `batches` yields, a page at a time: the
 * records of a page are read concurrently, and no more than one page of them
 * is held (plus one batch of keys: the whole list for a store without
 * `listPage`).
 * @throws `ERR_INVALID_ARGUMENT` (at the call) unless `pageSize` is a positive integer.
 */
export function listPages(
  store: SessionStore,
  batches: KeyBatches,
  options: ListPagesOptions = {},
): AsyncGenerator<SessionInfo[], void, undefined> {
  const pageSize = options.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) {
    throw invalidOption("options.pageSize", "must be a positive integer");
  }
  return pages(store, batches, pageSize);
}

async function* pages(
  store: SessionStore,
  batches: KeyBatches,
  pageSize: number,
): AsyncGenerator<SessionInfo[], void, undefined> {
  const read = async (keys: string[]) =>
    (await Promise.all(keys.map((key) => readInfo(store, key)))).filter((info) => info !== undefined);
  // Batches need not match pages (SCAN returns about COUNT keys, `list` all of them):
  // keys wait in `pending`, and a page is cut once there are enough.
  let pending: string[] = [];
  for await (const batch of batches(pageSize)) {
    pending = pending.concat(batch);
    let start = 0;
    for (; pending.length - start >= pageSize; start += pageSize) {
      const page = await read(pending.slice(start, start + pageSize));
      if (page.length > 0) yield page;
    }
    pending = pending.slice(start);
  }
  const page = await read(pending);
  if (page.length > 0) yield page;
}
