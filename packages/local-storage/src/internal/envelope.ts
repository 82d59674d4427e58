import { isExpired, type JsonObject, parseRecord, SessionStoreError, serializeRecord } from "@sessionstore/core";

/**
 * What one localStorage value holds: the record and its expiry, so expiry
 * survives a reload and every tab honours it the same way.
 */
interface Envelope {
  record: JsonObject;
  expiresAt?: number;
}

/** The text stored for `record`. */
export function encodeEnvelope(record: JsonObject, expiresAt: number | undefined): string {
  const envelope: Envelope = expiresAt === undefined ? { record } : { record, expiresAt };
  return serializeRecord(envelope as unknown as JsonObject);
}

/** A stored value read back: the record, or `"expired"`. @throws `ERR_CORRUPT_RECORD` when the text is not an envelope. */
export function decodeEnvelope(text: string, key: string, now: number): JsonObject | "expired" {
  const parsed = parseRecord(text, key);
  const { record, expiresAt } = parsed;
  // JSON.parse never yields NaN or Infinity, so a number here is a usable expiry.
  const validExpiry = expiresAt === undefined || typeof expiresAt === "number";
  if (typeof record !== "object" || record === null || Array.isArray(record) || !validExpiry) {
    throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not an envelope`);
  }
  return isExpired(expiresAt, now) ? "expired" : record;
}
