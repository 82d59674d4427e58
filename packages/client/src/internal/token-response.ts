import { type JsonObject, MAX_TOKEN_LENGTH } from "@sessionstore/core";
import { PlatformApiError } from "../errors.js";

// RFC 6749 Appendix A.12 / A.17: tokens are VSCHARs (%x20-7E). A space cannot
// travel in an `Authorization: Bearer` header (RFC 6750 §2.1), so it is refused
// too; CR, LF, NUL and every other control character with it.
const TOKEN = /^[\x21-\x7e]+$/;
/** Longest `expires_in` accepted: 10 years. Longer is a unit mistake or garbage. */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;

/** Where a token response came from, for the error. */
export interface TokenResponseContext {
  readonly status?: number;
  readonly request?: string;
}

function refuse(grant: string, field: string, rule: string, context: TokenResponseContext): PlatformApiError {
  // The value itself is never quoted: it may be a token.
  return new PlatformApiError("ERR_TOKEN_RESPONSE", `token response (${grant}) refused: ${field} ${rule}`, {
    field,
    ...(context.status === undefined ? {} : { status: context.status }),
    ...(context.request === undefined ? {} : { request: context.request }),
  });
}

function checkToken(
  response: JsonObject,
  field: string,
  required: boolean,
  grant: string,
  context: TokenResponseContext,
) {
  const value = response[field];
  if (value === undefined || (!required && value === null)) {
    if (required) throw refuse(grant, field, "is missing", context);
    return;
  }
  if (typeof value !== "string" || value.length === 0)
    throw refuse(grant, field, "must be a non-empty string", context);
  if (value.length > MAX_TOKEN_LENGTH)
    throw refuse(grant, field, `is longer than ${MAX_TOKEN_LENGTH} characters`, context);
  if (!TOKEN.test(value)) {
    throw refuse(
      grant,
      field,
      "holds characters a token cannot have (space, control characters or non-ASCII)",
      context,
    );
  }
}

/**
 * Checks a token response ([RFC 6749 §5.1](https://www.rfc-editor.org/rfc/rfc6749#section-5.1))
 * before anything of it is stored: `access_token` and `refresh_token` are
 * printable ASCII without spaces (so they can never inject a header), `expires_in`
 * is a number of seconds (or a numeric string) from 0 to 10 years, `token_type`
 * a string.
 * @returns the response, unchanged.
 * @throws `PlatformApiError` `ERR_TOKEN_RESPONSE` (terminal); its message names the field, never the value.
 */
export function checkTokenResponse(
  response: JsonObject,
  grant: string,
  context: TokenResponseContext = {},
): JsonObject {
  checkToken(response, "access_token", true, grant, context);
  checkToken(response, "refresh_token", false, grant, context);
  const expiresIn = response.expires_in;
  if (expiresIn !== undefined && expiresIn !== null) {
    const seconds =
      typeof expiresIn === "string" && /^\d{1,12}(\.\d{1,6})?$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_EXPIRES_IN_SECONDS) {
      throw refuse(grant, "expires_in", `must be a number of seconds from 0 to ${MAX_EXPIRES_IN_SECONDS}`, context);
    }
  }
  const tokenType = response.token_type;
  if (tokenType !== undefined && tokenType !== null && typeof tokenType !== "string") {
    throw refuse(grant, "token_type", "must be a string", context);
  }
  return response;
}
