/**
 * A copy of a mysql2 error that keeps what helps debugging (name, message,
 * `code`, `errno`, `sqlState`, stack) and drops `sql`: mysql2 attaches the
 * statement with its values interpolated, so a failed write would carry the
 * record — tokens included — into `cause`, where `util.inspect` prints it.
 * Anything else passes through unchanged.
 */
export function withoutStatement(error: unknown): unknown {
  if (!(error instanceof Error) || !("sql" in error)) return error;
  const { code, errno, sqlState } = error as { code?: unknown; errno?: unknown; sqlState?: unknown };
  const copy = Object.assign(new Error(error.message), { code, errno, sqlState });
  copy.name = error.name;
  copy.stack = error.stack ?? "";
  return copy;
}
