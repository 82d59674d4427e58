import type { SecretSource } from "./mask-secrets.js";
import { MASK, MIN_SECRET_LENGTH } from "./secret-text.js";

// A string at the top, in an array, or in a field named like a secret is one.
const SECRET_KEY = /^\d*$|token|secret|password|passphrase|authorization|verifier|credential|api_?key|^code$|^key$/i;
const NOT_SECRET_KEY = /type|hint|expires|_at$|At$|url$/i;

/**
 * The browser build's `toStoreError` masking, selected through the `browser`
 * condition of core's package.json `imports` to keep the browser bundle small:
 * the exact `secrets` of the operation, raw and JSON-escaped, in a string or
 * in the message, stack and `cause` chain of an error (copies keep their
 * class). The Node build also masks server spellings (URL-encoded, base64,
 * `\uxxxx`…), every own property and token-shaped text: those guard against
 * database drivers and servers that echo a command, while the browser's
 * store, localStorage, throws `QuotaExceededError` / `SecurityError` naming
 * the key, never the value. `maskSecrets` itself (what the client masks HTTP
 * bodies with) is the full one in both builds.
 */
export function maskStoreError<T>(value: T, secrets: SecretSource, _foreign: boolean): T {
  const spellings: string[] = [];
  try {
    JSON.stringify(secrets, (key, entry: unknown) => {
      if (typeof entry === "string" && entry.length >= MIN_SECRET_LENGTH && SECRET_KEY.test(key)) {
        if (!NOT_SECRET_KEY.test(key)) spellings.push(entry, JSON.stringify(entry).slice(1, -1));
      }
      return entry;
    });
  } catch {
    // A source JSON cannot walk (a cycle) masks what was found before it.
  }
  // Longest first, so a spelling is never cut by a shorter one inside it.
  spellings.sort((a, b) => b.length - a.length);
  return spellings.length === 0 ? value : (mask(value, spellings, 0) as T);
}

function mask(value: unknown, spellings: string[], depth: number): unknown {
  if (typeof value === "string") return spellings.reduce((text, spelling) => text.split(spelling).join(MASK), value);
  if (!(value instanceof Error) || depth > 8) return value;
  const parts = {
    name: value.name,
    message: mask(value.message, spellings, depth),
    stack: mask(value.stack, spellings, depth),
    cause: mask(value.cause, spellings, depth + 1),
  };
  if (parts.message === value.message && parts.stack === value.stack && parts.cause === value.cause) return value;
  // Same class (so `code` and `instanceof` hold); name and message as own values, for DOMException's getters.
  // defined, not assigned: a prototype getter without a setter would refuse an assignment.
  return Object.create(
    Object.getPrototypeOf(value) as object,
    Object.getOwnPropertyDescriptors({ ...value, ...parts }),
  );
}
