import { invalidOption } from "../adapter/option-checks.js";
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
    throw invalidOption("record", "must be a JSON object");
  }
  try {
    return JSON.stringify(record);
  } catch (error) {
    throw invalidOption("record", "is not serialisable as JSON", error);
  }
}

/**
 * Why `text` is not JSON, without quoting it: V8's `SyntaxError` quotes the
 * text around the fault ("…"accessToken": eyJ…" is not valid JSON), which is
 * the stored token itself. Only the position and the length are kept, and the
 * `SyntaxError` is not chained.
 */
export function invalidJsonReason(text: string, error: unknown): string {
  if (text.trim() === "") return "is empty";
  const message = error instanceof Error ? error.message : "";
  const position = /at position (\d+)/.exec(message)?.[1];
  const where = position === undefined ? "" : ` at position ${position}`;
  return `is not valid JSON (${message.startsWith("Unexpected end") ? "cut short" : `syntax error${where}`}, ${text.length} characters)`;
}

/** `ERR_CORRUPT_RECORD` for the record at `key`: "record at key "<key>" <why>". Never quotes the record. */
export function corruptRecord(key: string, why: string, cause?: unknown): SessionStoreError {
  return new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" ${why}`, { cause });
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
    throw corruptRecord(key, invalidJsonReason(text, error));
  }
  if (!isPlainRecord(parsed)) {
    throw corruptRecord(key, "is not a JSON object");
  }
  return parsed as JsonObject;
}
