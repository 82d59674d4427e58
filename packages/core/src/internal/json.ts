import { SessionStoreError } from "../errors.js";
import type { JsonObject } from "../types.js";

/** Type guard: a non-null, non-array object. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Serialises a record, refusing what is not a JSON object or what JSON cannot carry. */
export function serializeRecord(record: JsonObject): string {
  // Anything else would be stored and then read back as ERR_CORRUPT_RECORD forever.
  if (!isPlainRecord(record)) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "record must be a JSON object", { field: "record" });
  }
  try {
    return JSON.stringify(record);
  } catch (error) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "record is not serialisable as JSON", {
      cause: error,
      field: "record",
    });
  }
}

/**
 * Parses stored text back into a record. Anything but a JSON object is
 * `ERR_CORRUPT_RECORD`: adapters use this so corrupt bytes never pass for data.
 */
export function parseRecord(text: string, key: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not valid JSON`, { cause: error });
  }
  if (!isPlainRecord(parsed)) {
    throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not a JSON object`);
  }
  return parsed as JsonObject;
}
