import { invalidOption } from "./adapter/option-checks.js";
import { isSessionStoreError, toStoreError } from "./errors.js";
import { parseSessionKey } from "./keys.js";
import type { SessionInfo } from "./session-manager-types.js";
import { decodeSession } from "./session-record.js";
import type { SessionStore } from "./store.js";

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
 * The sessions under the keys `listKeys` returns, a page at a time: the keys
 * come in one call, the records are read page by page, so listing 100,000
 * sessions never holds more than one page of them.
 * @throws `ERR_INVALID_ARGUMENT` (at the call) unless `pageSize` is a positive integer.
 */
export function listPages(
  store: SessionStore,
  listKeys: () => Promise<string[]>,
  options: ListPagesOptions = {},
): AsyncGenerator<SessionInfo[], void, undefined> {
  const pageSize = options.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) {
    throw invalidOption("options.pageSize", "must be a positive integer");
  }
  return pages(store, listKeys, pageSize);
}

async function* pages(
  store: SessionStore,
  listKeys: () => Promise<string[]>,
  pageSize: number,
): AsyncGenerator<SessionInfo[], void, undefined> {
  const keys = await listKeys();
  for (let start = 0; start < keys.length; start += pageSize) {
    const infos = await Promise.all(keys.slice(start, start + pageSize).map((key) => readInfo(store, key)));
    const page = infos.filter((info) => info !== undefined);
    if (page.length > 0) yield page;
  }
}
