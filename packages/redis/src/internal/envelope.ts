import { type JsonObject, SessionStoreError } from "@sessionstore/core";
import { isExpired, serializeRecord } from "@sessionstore/core/adapter";
import type { Deserialize, DeserializedData, Serialize } from "keyv";

/**
 * keyv stores `{"value": <record>, "expires": <epoch ms>}` as the Redis string.
 * We keep keyv's envelope (so keyv and its tools read our records) but with
 * our own (de)serialiser:
 * - keyv's default parser turns garbage into a bare SyntaxError (reported as
 *   an outage) and an envelope without `value` into "missing"; both must be
 *   `ERR_CORRUPT_RECORD`.
 * - keyv answers an expired envelope with a non-atomic GET-then-DEL, which can
 *   delete a fresh record another process wrote in between. Reading an
 *   expired envelope as "missing" instead leaves the deletion to Redis' own TTL.
 */

function corrupt(message: string, cause?: unknown): SessionStoreError {
  return new SessionStoreError("ERR_CORRUPT_RECORD", message, cause === undefined ? {} : { cause });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Serialises keyv's envelope; the record goes through core's `serializeRecord` (which refuses non-JSON). */
export const serializeEnvelope: Serialize = (data) => envelopeText(data.value as JsonObject, data.expires ?? undefined);

function envelopeText(record: JsonObject, expires: number | undefined): string {
  const recordText = serializeRecord(record);
  return expires === undefined ? `{"value":${recordText}}` : `{"value":${recordText},"expires":${expires}}`;
}

function parseEnvelope<Value>(text: string): DeserializedData<Value> | undefined {
  const { value, expires } = parseEnvelopeParts(text);
  if (isExpired(expires)) return undefined;
  return { value: value as Value };
}

function parseEnvelopeParts(text: string): { value: JsonObject; expires: number | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not chained: V8's SyntaxError quotes the stored text (the tokens) around the fault.
    throw corrupt(`stored value is not valid JSON (${text.length} characters)`);
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.value)) {
    throw corrupt("stored value is not a keyv envelope holding a record");
  }
  const { expires } = parsed;
  if (expires !== undefined && expires !== null && (typeof expires !== "number" || !Number.isFinite(expires))) {
    throw corrupt("stored value has an invalid expiry");
  }
  return { value: parsed.value as JsonObject, expires: typeof expires === "number" ? expires : undefined };
}

/** Parses keyv's envelope strictly: `ERR_CORRUPT_RECORD` for anything else, `undefined` when expired. */
export const deserializeEnvelope: Deserialize = parseEnvelope;

/**
 * keyv's envelope as the adapter kit's codec: `encode` writes what keyv
 * writes, `decode` parses strictly (ERR_CORRUPT_RECORD naming the key, never
 * quoting the text) and hands the expiry to the kit, which hides an expired
 * record (Redis' own TTL deletes it).
 */
export const keyvEnvelopeCodec = {
  encode: (record: JsonObject, expiresAt: number | undefined): string => envelopeText(record, expiresAt),
  decode(text: string, key: string): { record: JsonObject; expiresAt: number | undefined } {
    try {
      const { value, expires } = parseEnvelopeParts(text);
      return { record: value, expiresAt: expires };
    } catch (error) {
      if (!(error instanceof SessionStoreError)) throw error;
      throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is corrupt: ${error.message}`, {
        cause: error,
      });
    }
  },
};

/** The command {@link writeRecord} sends: SET, with PX `pxMs` when given. */
export interface RecordWriter {
  set(key: string, value: string, pxMs?: number): Promise<unknown>;
}

/**
 * Writes a record's envelope text ({@link keyvEnvelopeCodec}) the way keyv +
 * `@keyv/redis` do (SET with PX when it expires) and announces it. The SET is
 * issued first, so the notice (sent at the end of the turn, see the change
 * feed) follows it on the same connection: Redis runs them in order and a
 * watcher that re-reads on the notice sees the new record, and node-redis
 * sends both in one socket write (one round trip). On a cluster the notice may
 * go to another node than the key, so it waits for the SET's answer.
 * `announce` never rejects (the change feed ignores a failed notice: it only
 * delays other instances until their next read); the SET's failure is the caller's.
 */
export function writeRecord(
  commands: RecordWriter,
  rawKey: string,
  text: string,
  ttlMs: number | undefined,
  announce: () => Promise<void>,
  cluster: boolean,
): Promise<void> {
  const written = commands.set(rawKey, text, ttlMs);
  if (cluster) return written.then(announce);
  // Issued now, awaited after the SET: a SET that fails rejects the write, the notice's fate aside.
  const announced = announce();
  return written.then(() => announced);
}
