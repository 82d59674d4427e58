import { SessionStoreError } from "../errors.js";

/** Who asks for the revocation, and how ([RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1)). */
export interface RevokeClient {
  readonly revokeURL: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly clientAuthMethod: "client_secret_post" | "client_secret_basic";
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
}

/** One revocation's outcome: done, worth another try (5xx, network, timeout), or refused for good. */
export type RevokeOutcome =
  | { readonly kind: "revoked" }
  | { readonly kind: "transient" | "refused"; readonly error: SessionStoreError };

// RFC 6749 §5.2 error codes are [\x20-\x21\x23-\x5B\x5D-\x7E]; only a plain word is repeated in a message.
const OAUTH_ERROR = /^[a-z0-9_.-]{1,64}$/i;

/** The `error` of an RFC 6749 §5.2 body, when it is a plain word (never anything else of the body). */
async function oauthErrorOf(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const code = (body as { error?: unknown } | null)?.error;
    return typeof code === "string" && OAUTH_ERROR.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Basic auth per RFC 6749 §2.3.1: each part form-encoded, then base64 (no Node Buffer: core runs in browsers). */
function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (part: string) => encodeURIComponent(part).replace(/%20/g, "+");
  const bytes = new TextEncoder().encode(`${encode(clientId)}:${encode(clientSecret)}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * POSTs one token to the revocation endpoint. The token travels only in the
 * request body; messages name the endpoint's host, the HTTP status and the
 * OAuth error code, never a token or the client secret.
 */
export async function revokeOne(
  client: RevokeClient,
  token: string,
  hint: "refresh_token" | "access_token",
): Promise<RevokeOutcome> {
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (client.clientAuthMethod === "client_secret_basic" && client.clientSecret !== undefined) {
    headers.authorization = basicAuth(client.clientId, client.clientSecret);
  } else {
    body.set("client_id", client.clientId);
    if (client.clientSecret !== undefined) body.set("client_secret", client.clientSecret);
  }
  const where = new URL(client.revokeURL).host;
  let response: Response;
  try {
    response = await client.fetch(client.revokeURL, {
      method: "POST",
      headers,
      body: body.toString(),
      signal: AbortSignal.timeout(client.timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as { name?: unknown }).name === "TimeoutError"
        ? `no answer within ${client.timeoutMs} ms`
        : "network error";
    return {
      kind: "transient",
      error: new SessionStoreError("ERR_REVOKE_FAILED", `revocation at ${where} failed: ${reason}`, { cause: error }),
    };
  }
  if (response.ok) {
    // Drains the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return { kind: "revoked" };
  }
  const oauthError = await oauthErrorOf(response);
  const error = new SessionStoreError(
    "ERR_REVOKE_FAILED",
    `revocation at ${where} answered ${response.status}${oauthError === undefined ? "" : ` (${oauthError})`}`,
  );
  // RFC 7009 §2.2.1: 503 may be retried; any 5xx (and 429) is the server's trouble, not the request's.
  const transient = response.status >= 500 || response.status === 429;
  return { kind: transient ? "transient" : "refused", error };
}
