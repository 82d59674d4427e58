import { hex, sha256 } from "./internal/sha256.js";

/** What identifies an integration's configuration: change one and old tokens are void. */
export interface FingerprintInput {
  readonly tokenURL: string;
  readonly clientId: string;
  readonly scope?: string | undefined;
  readonly audience?: string | undefined;
}

/**
 * SHA-256 (hex, prefixed `v1:`) of the token URL, client id, scope and audience.
 * Stored beside a session; a client whose fingerprint differs ignores that
 * session instead of sending a token to the wrong place or with the wrong grant.
 * Scope order does not matter.
 */
export function configFingerprint(input: FingerprintInput): string {
  const scope = (input.scope ?? "").split(/\s+/).filter(Boolean).sort().join(" ");
  const text = JSON.stringify([input.tokenURL, input.clientId, scope, input.audience ?? ""]);
  return `v1:${hex(sha256(new TextEncoder().encode(text)))}`;
}
