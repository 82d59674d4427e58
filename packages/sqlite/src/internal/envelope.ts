/**
 * The envelope text held in a `value` column. This release writes the
 * envelope itself (`{"expiresAt":…,"record":{…}}`); 0.1.0 wrote it through
 * Keyv, as a string inside a Keyv entry (`{"value":"<envelope>","expires":null}`).
 * Both read the same. Text that is neither comes back as it is, for the
 * envelope decoder to refuse as corrupt (never quoted: it may hold tokens).
 */
export function envelopeText(value: unknown): string {
  if (typeof value !== "string") return String(value);
  // What this release writes, told apart without parsing: reads stay one JSON.parse.
  if (value.startsWith('{"expiresAt":')) return value;
  try {
    const entry: unknown = JSON.parse(value);
    if (typeof entry === "object" && entry !== null && !("record" in entry)) {
      const inner = (entry as { value?: unknown }).value;
      if (typeof inner === "string") return inner;
    }
  } catch {
    // Not JSON: the decoder reports it (without the SyntaxError, which quotes the text).
  }
  return value;
}
