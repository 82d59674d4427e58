/**
 * `listPage` over the file's records: the keys sorted once per loaded
 * document (a document is never changed once loaded; a write or another
 * process's change loads a new one), then each page is a binary search and a
 * slice, so a page costs `limit` keys, not the document.
 */
const sortedByDocument = new WeakMap<ReadonlyMap<string, unknown>, readonly string[]>();

function sortedKeys(records: ReadonlyMap<string, unknown>): readonly string[] {
  let keys = sortedByDocument.get(records);
  if (keys === undefined) {
    keys = [...records.keys()].sort();
    sortedByDocument.set(records, keys);
  }
  return keys;
}

/** Index of the first key above `after` (or at/above `from` when `after` is undefined). */
function firstIndex(keys: readonly string[], from: string, after: string | undefined): number {
  const target = after ?? from;
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const key = keys[middle] as string;
    if (key < target || (after !== undefined && key === target)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Up to `limit` keys of `records` that start with `prefix`, after `cursor` (the
 * last key of the previous page) in code-unit order, and the next cursor:
 * `undefined` when no key under the prefix is left (a prefix's keys are
 * contiguous in sorted order).
 */
export function sortedKeyPage(
  records: ReadonlyMap<string, unknown>,
  prefix: string,
  cursor: string | undefined,
  limit: number,
): { keys: string[]; cursor: string | undefined } {
  const keys = sortedKeys(records);
  // A cursor below the prefix (not one this store gave for it) starts at the prefix.
  const start = firstIndex(keys, prefix, cursor !== undefined && cursor >= prefix ? cursor : undefined);
  const page: string[] = [];
  let index = start;
  for (; index < keys.length && page.length < limit; index += 1) {
    const key = keys[index] as string;
    if (!key.startsWith(prefix)) break;
    page.push(key);
  }
  const more = index < keys.length && page.length === limit && (keys[index] as string).startsWith(prefix);
  return { keys: page, cursor: more ? page.at(-1) : undefined };
}
