import { normalizeAuthObject } from "../normalize.js";
import type { AuthObject } from "../types.js";

/**
 * The browser build's `decodeAuth` (package.json `imports`, `browser`
 * condition): the full normaliser on every read, which gives the same result
 * as the Node build's fast path, in less code.
 */
export function decodeAuth(auth: Record<string, unknown>, at: number): AuthObject {
  return normalizeAuthObject(auth, at, { stampExpiry: false });
}

/** The browser build's `normalizeForWrite`: the normaliser itself (no second copy of its rules to ship). */
export { normalizeAuthObject as normalizeForWrite };
