/** Formatting helpers for the human-readable output. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2026-11-23T10:00:00Z`: ISO 8601 in UTC without milliseconds. */
export function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  // A time no Date can hold (a planted 1e300) must not throw a RangeError for the whole listing.
  if (Number.isNaN(date.getTime())) return "invalid time";
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A duration in the largest unit that keeps it readable: `42 s`, `42 min`, `5 h`, `3 d`. */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.round(abs / SECOND)} s`;
  if (abs < 90 * MINUTE) return `${Math.round(abs / MINUTE)} min`;
  if (abs < 48 * HOUR) return `${Math.round(abs / HOUR)} h`;
  return `${Math.round(abs / DAY)} d`;
}

/** `in 42 min (2026-11-23T10:00:00Z)`, `3 h ago (…)`, or `now (…)` within half a second. */
export function relativeTime(epochMs: number, now: number): string {
  const delta = epochMs - now;
  const relative =
    Math.abs(delta) < SECOND / 2 ? "now" : delta > 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`;
  return `${relative} (${isoTime(epochMs)})`;
}

/** An expiry as a phrase: `expires in 42 min (…)`, `expired 3 h ago (…)`, or `no expiry recorded`. */
export function expiryPhrase(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return "no expiry recorded";
  return expiresAt > now
    ? `expires ${relativeTime(expiresAt, now)}`
    : `expired ${relativeTime(expiresAt, now)}`.replace(/^expired now/, "expired just now");
}

// Stored values (scope, ref, field names) come from whoever wrote the store; a
// terminal must not interpret escape sequences hidden in them.
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const escapeControl = (char: string) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, "0")}`;

/** Makes `text` safe to print on a terminal: control characters become `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/**
 * Everything the CLI writes goes through this last: control characters other
 * than the newlines of its own layout become `\uXXXX`, so no stored value a
 * formatter forgot (or JSON.stringify left raw: C1 controls, bidi overrides)
 * reaches the terminal as an escape sequence. Inside JSON strings the result
 * is still valid JSON meaning the same text.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => (char === "\n" ? char : escapeControl(char)));
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** Aligned `label  value` lines. */
export function fields(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}
