/**
 * A copy of a node-postgres `DatabaseError` that keeps what helps debugging
 * (name, message, `code`, `severity`, `routine`, stack) and drops the fields
 * that can echo data: `detail` ("Failing row contains (…)", the whole row —
 * tokens included — for a constraint violation), `where` and `internalQuery`.
 * `cause` would otherwise carry them to `util.inspect`. Anything else passes
 * through unchanged.
 */
export function withoutRowData(error: unknown): unknown {
  if (!(error instanceof Error) || !("detail" in error || "where" in error || "internalQuery" in error)) return error;
  const { code, severity, routine } = error as { code?: unknown; severity?: unknown; routine?: unknown };
  const copy = Object.assign(new Error(error.message), { code, severity, routine });
  copy.name = error.name;
  copy.stack = error.stack ?? "";
  return copy;
}
