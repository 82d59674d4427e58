import { corruptRecord as corrupt, isPlainRecord, parseRecord, serializeRecord } from "../internal/json.js";
import type { JsonObject } from "../types.js";

/**
 * A record with its own absolute expiry, as adapters over backends without a
 * trustworthy TTL store it (Keyv, SQLite, localStorage): the expiry the
 * contract is about travels with the record, whatever the backend keeps.
 */
export interface RecordEnvelope {
  readonly record: JsonObject;
  /** Epoch milliseconds; `undefined` when the record never expires. */
  readonly expiresAt: number | undefined;
}

/**
 * The text of an envelope: `{"expiresAt":<ms|null>,"record":{...}}`.
 * @throws `ERR_INVALID_ARGUMENT` when `record` is not a JSON object.
 */
export function encodeEnvelope(record: JsonObject, expiresAt: number | undefined): string {
  const recordText = serializeRecord(record);
  return `{"expiresAt":${expiresAt === undefined ? "null" : JSON.stringify(expiresAt)},"record":${recordText}}`;
}

/**
 * Reads an envelope back. Each call parses the text again, so the caller owns
 * the record it gets. A missing `expiresAt` reads as "never expires", so text
 * written as `{ record }` alone is accepted.
 * @throws `ERR_CORRUPT_RECORD` when `text` is not an envelope.
 */
export function decodeEnvelope(text: unknown, key: string): RecordEnvelope {
  if (typeof text !== "string") throw corrupt(key, "is not text");
  const { expiresAt, record } = parseRecord(text, key);
  if (!isPlainRecord(record)) throw corrupt(key, "has no record object");
  if (expiresAt !== null && expiresAt !== undefined && (typeof expiresAt !== "number" || !Number.isFinite(expiresAt))) {
    throw corrupt(key, "has an invalid expiresAt");
  }
  return { record: record as JsonObject, expiresAt: expiresAt ?? undefined };
}
