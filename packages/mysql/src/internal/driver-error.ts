import { withoutFields } from "@sessionstore/core/adapter";

/**
 * A copy of a mysql2 error that keeps what helps debugging (name, message,
 * `code`, `errno`, `sqlState`, stack) and drops `sql`: mysql2 attaches the
 * statement with its values interpolated, so a failed write would carry the
 * record — tokens included — into `cause`. Anything else passes through unchanged.
 */
export function withoutStatement(error: unknown): unknown {
  return withoutFields(error, ["sql"], ["code", "errno", "sqlState"]);
}
