import { invalidCursorError, type ListPageRequest, prefixUpperBound } from "@sessionstore/core/adapter";
import { KEY_HEAD_CHARS } from "./statements.js";

/** The first {@link KEY_HEAD_CHARS} characters, counted as PostgreSQL's left() counts them (code points). */
function headOf(text: string): string {
  return [...text].slice(0, KEY_HEAD_CHARS).join("");
}

/** `<id, 64 hex digits>:<head>`: where the last page ended in the index's order. */
const CURSOR = /^([0-9a-f]{64}):(.*)$/s;

/** The parameters of `listPage`'s query (see `Statements.listPage`) for one page. */
export function keyPageQuery(
  prefix: string,
  { cursor, limit }: ListPageRequest,
  now: number,
): { bounded: boolean; values: unknown[] } {
  const prefixHead = headOf(prefix);
  let after: [string, Buffer] = [prefixHead, Buffer.alloc(0)];
  if (cursor !== undefined) {
    const parts = CURSOR.exec(cursor);
    if (!parts) throw invalidCursorError();
    after = [parts[2] ?? "", Buffer.from(parts[1] ?? "", "hex")];
  }
  const end = prefixUpperBound(prefixHead);
  return {
    bounded: end !== undefined,
    values: [prefix, ...after, String(now), limit, ...(end === undefined ? [] : [end])],
  };
}

/** The cursor after `rows` (a full page), or `undefined` when fewer than `limit` came: the walk is done. */
export function nextKeyCursor(rows: ReadonlyArray<{ key: string; id: Buffer }>, limit: number): string | undefined {
  const last = rows.at(-1);
  if (rows.length < limit || last === undefined) return undefined;
  return `${last.id.toString("hex")}:${headOf(last.key)}`;
}
