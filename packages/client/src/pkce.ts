import { invalidArgument } from "./errors.js";
import { base64url, sha256 } from "./internal/sha256.js";

function randomBase64url(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return base64url(buffer);
}

/**
 * A PKCE code verifier: 32 random bytes, base64url (43 characters)
 * ([RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1)).
 * Keep it (e.g. in `sessionStorage`) until the redirect comes back.
 */
export function createCodeVerifier(): string {
  return randomBase64url(32);
}

/** An unguessable `state` for the authorization request (CSRF protection, RFC 6749 §10.12). */
export function createState(): string {
  return randomBase64url(16);
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The S256 code challenge of `verifier`: `base64url(SHA-256(verifier))`
 * ([RFC 7636 §4.2](https://www.rfc-editor.org/rfc/rfc7636#section-4.2)). Synchronous.
 * @throws `ERR_INVALID_ARGUMENT` when `verifier` is not 43–128 unreserved characters.
 */
export function codeChallengeS256(verifier: string): string {
  if (typeof verifier !== "string" || !VERIFIER.test(verifier)) {
    throw invalidArgument("codeVerifier", "must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)");
  }
  return base64url(sha256(new TextEncoder().encode(verifier)));
}
