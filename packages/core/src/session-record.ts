import { decodeAuth } from "#internal/canonical-auth";
import { MAX_EPOCH_MS } from "./internal/auth-fields.js";
import { corruptRecord, isPlainRecord } from "./internal/json.js";
import type { AuthObject, JsonObject } from "./types.js";

/** Version of the record envelope written by this release. */
export const RECORD_VERSION = 1;

/**
 * What the SessionManager stores at a key. Adapters see it as plain JSON and
 * never look inside.
 */
export interface StoredSession {
  /** The session. */
  readonly auth: AuthObject;
  /**
   * Fingerprint of the client configuration that obtained it (token URL,
   * client id, scope, audience). A client whose fingerprint differs ignores it.
   */
  readonly fingerprint?: string;
  /** When it was written, epoch milliseconds. */
  readonly updatedAt: number;
}

/** Builds the JSON envelope for a session. */
export function encodeSession(session: StoredSession): JsonObject {
  const record: Record<string, unknown> = { v: RECORD_VERSION, auth: session.auth, updatedAt: session.updatedAt };
  if (session.fingerprint !== undefined) record.fingerprint = session.fingerprint;
  return record as JsonObject;
}

/**
 * Reads a stored envelope back, refusing anything that is not one: a record of
 * the wrong shape is `ERR_CORRUPT_RECORD`, never a session with holes.
 */
export function decodeSession(record: JsonObject, key: string): StoredSession {
  if (record.v !== RECORD_VERSION)
    // Only a number is quoted: the field may hold anything, a token or a terminal escape.
    throw corruptRecord(key, `has an unknown version (${typeof record.v === "number" ? record.v : typeof record.v})`);
  if (!isPlainRecord(record.auth)) throw corruptRecord(key, "has no auth object");
  // Beyond ±8.64e15 no Date can hold it: a planted 1e300 would break every reader that prints it.
  if (typeof record.updatedAt !== "number" || !(Math.abs(record.updatedAt) <= MAX_EPOCH_MS))
    throw corruptRecord(key, "has no valid updatedAt");
  if (record.fingerprint !== undefined && typeof record.fingerprint !== "string")
    throw corruptRecord(key, "has a bad fingerprint");
  // Every read is validated as in full; on Node the shape the SessionManager writes takes a fast path.
  let auth: AuthObject;
  try {
    auth = decodeAuth(record.auth, record.updatedAt);
  } catch (error) {
    throw corruptRecord(key, "holds an invalid auth object", error);
  }
  // No per-call closure or conditional spread: every read comes through here.
  const { updatedAt, fingerprint } = record;
  return typeof fingerprint === "string" ? { auth, updatedAt, fingerprint } : { auth, updatedAt };
}

/**
 * How long the store should keep a session: until the refresh token expires
 * when the server said so; forever while a refresh token of unknown lifetime can
 * renew it; otherwise until the access token expires (nothing could renew it).
 */
export function recordExpiry(auth: AuthObject): number | undefined {
  if (auth.refreshExpiresAt !== undefined) return auth.refreshExpiresAt;
  if (auth.refreshToken !== undefined) return undefined;
  return auth.expiresAt;
}
