import { type SessionStore, withEncryption } from "@sessionstore/core";
import { usageError } from "./cli-error.js";

const ENTRY = /^(?:([A-Za-z0-9._-]{1,64})=)?([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Reads records encrypted with core's `withEncryption`, with keys taken from
 * environment variables (never from argv, which other users can see).
 * `--key-env VAR` serves every key id; `--key-env kid=VAR` one key id.
 * Plaintext records in the same store are read as they are.
 * @returns the store wrapper, and the key values (to mask in any output).
 */
export function decryptionFromEnv(
  entries: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { wrap: (store: SessionStore) => SessionStore; keys: string[] } {
  const byId = new Map<string, string>();
  let fallback: string | undefined;
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    // The argument is never echoed: a user who passed the key itself instead of a
    // variable's name would see it printed (and logged) by the error.
    if (!match) {
      throw usageError(
        "--key-env takes VAR or keyId=VAR, the NAME of an environment variable holding the key (never the key itself)",
      );
    }
    const [, keyId, variable = ""] = match;
    const value = env[variable];
    if (value === undefined || value.trim() === "") {
      throw usageError(`--key-env: environment variable ${nameToShow(variable)} is not set`);
    }
    if (keyId === undefined) fallback = value.trim();
    else byId.set(keyId, value.trim());
  }
  // Checked before the store is opened, so a typo costs no connection.
  return {
    wrap: (store) => decryptingStore(store, (keyId) => byId.get(keyId) ?? fallback),
    keys: [...byId.values(), ...(fallback === undefined ? [] : [fallback])],
  };
}

// Names as people write them (SESSIONSTORE_KEY); anything else may be a key
// pasted in the variable's place (base64url keys can match the name rule).
const SHOWN_NAME = /^[A-Z_][A-Z0-9_]{0,31}$/;

function nameToShow(variable: string): string {
  return SHOWN_NAME.test(variable) ? variable : "(the name given to --key-env, not shown: is it the key itself?)";
}

function decryptingStore(store: SessionStore, keyFor: (keyId: string) => string | undefined): SessionStore {
  // SessionManager.list() reports a record under a key we lack as unreadable, not as a failure.
  const encrypted = withEncryption(store, {
    keys: keyFor,
    // The CLI never writes a session; the id only satisfies withEncryption.
    activeKeyId: "sessionstore-cli",
    readPlaintext: true,
  });
  return encrypted;
}
