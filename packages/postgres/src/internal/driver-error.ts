import { withoutFields } from "@sessionstore/core/adapter";

/**
 * A copy of a node-postgres `DatabaseError` that keeps what helps debugging
 * (name, message, `code`, `severity`, `routine`, stack) and drops the fields
 * that can echo data: `detail` ("Failing row contains (…)", the whole row —
 * tokens included — for a constraint violation), `where` and `internalQuery`.
 * Anything else passes through unchanged.
 */
export function withoutRowData(error: unknown): unknown {
  return withoutFields(error, ["detail", "where", "internalQuery"], ["code", "severity", "routine"]);
}
