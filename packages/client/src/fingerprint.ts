import { hex, sha256 } from "./internal/sha256.js";

/** What identifies an integration's configuration: change one and old tokens are void. */
export interface FingerprintInput {
  readonly tokenURL: string;
  readonly clientId: string;
  readonly scope?: string | undefined;
  readonly audience?: string | undefined;
  /** Where the user signs in; a session from another authorization server is not ours. */
  readonly authorizeURL?: string | undefined;
  /** Where tokens are revoked. */
  readonly revokeURL?: string | undefined;
  /** Only a salted hash of it is used (see {@link configFingerprint}); the secret is never stored. */
  readonly clientSecret?: string | undefined;
}

const encoder = new TextEncoder();
// Separates this use of SHA-256 from any other hash of the same secret.
const SECRET_DOMAIN = "sessionstore/client-secret/v1\0";

function digest(text: string, hexChars = 64): string {
  return hex(sha256(encoder.encode(text))).slice(0, hexChars);
}

/** Scope order does not matter. */
function normalScope(scope: string | undefined): string {
  return (scope ?? "").split(/\s+/).filter(Boolean).sort().join(" ");
}

/** The 0.1.0 fingerprint: token URL, client id, scope, audience. */
function legacyDigest(input: FingerprintInput): string {
  return digest(JSON.stringify([input.tokenURL, input.clientId, normalScope(input.scope), input.audience ?? ""]));
}

/**
 * The config fingerprint stored beside a session: `v2:<a>.<b>`, where `<a>`
 * is SHA-256 (128 bits, hex) of the token, authorize and revoke URLs, client
 * id, scope, audience and a domain-separated SHA-256 of the client secret —
 * never the secret — and `<b>` the first 128 bits of the 0.1.0 (`v1:`)
 * fingerprint, so a record 0.1.0 wrote for the same token URL, client id,
 * scope and audience is still recognised (see {@link fingerprintMatches}).
 * A client whose fingerprint differs does not use the session and deletes it.
 */
export function configFingerprint(input: FingerprintInput): string {
  const secret = input.clientSecret === undefined ? "" : digest(`${SECRET_DOMAIN}${input.clientSecret}`);
  const text = JSON.stringify([
    "v2",
    input.tokenURL,
    input.authorizeURL ?? "",
    input.revokeURL ?? "",
    input.clientId,
    normalScope(input.scope),
    input.audience ?? "",
    secret,
  ]);
  return `v2:${digest(text, 32)}.${legacyDigest(input).slice(0, 32)}`;
}

/**
 * Whether a session stored with `stored` belongs to the configuration whose
 * fingerprint is `current`. Equal fingerprints match; a `v1:` fingerprint
 * (written by 0.1.0, which hashed only the token URL, client id, scope and
 * audience) matches when those parts agree — upgrading does not sign every
 * user out, and the next write stores the `v2:` fingerprint. A missing
 * fingerprint (podio-js or a legacy store wrote the record) matches.
 */
export function fingerprintMatches(stored: string | undefined, current: string): boolean {
  if (stored === undefined || stored === current) return true;
  const legacyPart = /^v2:[0-9a-f]{32}\.([0-9a-f]{32})$/.exec(current)?.[1];
  return legacyPart !== undefined && /^v1:[0-9a-f]{64}$/.test(stored) && stored.slice(3, 35) === legacyPart;
}
