import { SessionStoreError } from "@sessionstore/core";

function notAnEntry(key: string): SessionStoreError {
  return new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not a Keyv entry`);
}

/**
 * Takes the envelope text out of a Keyv entry (`{ value, expires }`), as
 * `keyv.get(key, { raw: true })` returns it.
 * @returns `undefined` when there is no entry.
 * @throws `ERR_CORRUPT_RECORD` when it is not an entry holding text.
 */
export function envelopeTextOf(raw: unknown, key: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw notAnEntry(key);
  const text = (raw as { value?: unknown }).value;
  if (typeof text !== "string") {
    throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not text`);
  }
  return text;
}
