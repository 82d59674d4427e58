import { type JsonObject, parseRecord, SessionStoreError, serializeRecord } from "@sessionstore/core";

/**
 * The Keyv value the store writes: JSON text holding the record and its
 * absolute expiry, in the format `@sessionstore/keyv` writes. Keyv is given
 * no ttl: its delete-on-read of an expired entry is not atomic and could
 * delete a record another process has just rewritten; expired rows are purged
 * by one `DELETE` instead.
 */
export interface Envelope {
  readonly record: JsonObject;
  /** Epoch milliseconds; `undefined` when the record never expires. */
  readonly expiresAt: number | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Serialises a record and its expiry; refuses what is not a JSON object. */
export function encodeEnvelope(record: JsonObject, expiresAt: number | undefined): string {
  if (!isPlainObject(record)) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "record must be a JSON object", { field: "record" });
  }
  const recordText = serializeRecord(record);
  return `{"expiresAt":${expiresAt === undefined ? "null" : JSON.stringify(expiresAt)},"record":${recordText}}`;
}

function corrupt(key: string, why: string): SessionStoreError {
  return new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" ${why}`);
}

/**
 * Reads an envelope back. Every call parses the text again, so callers get a
 * fresh object they may mutate freely.
 * @throws `ERR_CORRUPT_RECORD` when `text` is not an envelope.
 */
export function decodeEnvelope(text: unknown, key: string): Envelope {
  if (typeof text !== "string") throw corrupt(key, "is not text");
  const parsed = parseRecord(text, key);
  const { expiresAt, record } = parsed;
  if (!isPlainObject(record)) throw corrupt(key, "has no record object");
  if (expiresAt !== null && (typeof expiresAt !== "number" || !Number.isFinite(expiresAt))) {
    throw corrupt(key, "has an invalid expiresAt");
  }
  return { record: record as JsonObject, expiresAt: expiresAt ?? undefined };
}

/**
 * Takes the envelope text out of a Keyv entry (`{ value, expires }`), as
 * `keyv.get(key, { raw: true })` returns it or as parsed from the `value` column.
 * @returns `undefined` when there is no entry.
 */
export function envelopeTextOf(raw: unknown, key: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw corrupt(key, "is not a Keyv entry");
  return raw.value;
}
