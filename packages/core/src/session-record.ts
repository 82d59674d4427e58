import { SessionStoreError } from "./errors.js";
import { isPlainRecord } from "./internal/json.js";
import { normalizeAuthObject } from "./normalize.js";
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
  const corrupt = (why: string, cause?: unknown) =>
    new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" ${why}`, cause ? { cause } : {});
  if (record.v !== RECORD_VERSION) throw corrupt(`has an unknown version (${JSON.stringify(record.v ?? null)})`);
  if (!isPlainRecord(record.auth)) throw corrupt("has no auth object");
  if (typeof record.updatedAt !== "number" || !Number.isFinite(record.updatedAt)) throw corrupt("has no updatedAt");
  if (record.fingerprint !== undefined && typeof record.fingerprint !== "string")
    throw corrupt("has a bad fingerprint");
  let auth: AuthObject;
  try {
    auth = normalizeAuthObject(record.auth, record.updatedAt, { stampExpiry: false });
  } catch (error) {
    throw corrupt("holds an invalid auth object", error);
  }
  return {
    auth,
    updatedAt: record.updatedAt,
    ...(typeof record.fingerprint === "string" ? { fingerprint: record.fingerprint } : {}),
  };
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
