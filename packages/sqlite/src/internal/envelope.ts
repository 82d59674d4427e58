import { type JsonObject, SessionStoreError } from "@sessionstore/core";

/**
 * Takes the envelope text out of a Keyv entry (`{ value, expires }`), as
 * `keyv.get(key, { raw: true })` returns it or as parsed from a `value` column.
 * @returns `undefined` when there is no entry.
 */
export function envelopeTextOf(raw: unknown, key: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not a Keyv entry`);
  }
  return (raw as JsonObject).value;
}
