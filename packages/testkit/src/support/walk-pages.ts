import type { PageListingStore } from "@sessionstore/core";
import { expect } from "vitest";
import { call } from "../conformance/expect-code.js";

/** Most calls one walk may take: a store whose cursor never ends fails here instead of hanging. */
export const MAX_CALLS = 100_000;

/**
 * Every key of one `listPage` walk over `prefix`, in the order given (repeats
 * kept). Checks each page's shape; a cursor that never ends fails after
 * {@link MAX_CALLS} calls instead of hanging.
 */
export async function walkPages(store: PageListingStore, prefix: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let calls = 0; calls < MAX_CALLS; calls += 1) {
    const page = await call(() => store.listPage(prefix, { limit, ...(cursor === undefined ? {} : { cursor }) }));
    expect(Array.isArray(page.keys)).toBe(true);
    keys.push(...page.keys);
    if (page.cursor === undefined) return keys;
    expect(typeof page.cursor).toBe("string");
    cursor = page.cursor;
  }
  throw new Error(`the walk over "${prefix}" did not end within ${MAX_CALLS} calls`);
}
