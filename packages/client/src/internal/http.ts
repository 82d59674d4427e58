import { maskSecrets } from "@sessionstore/core";
import { PlatformApiError } from "../errors.js";

/** `METHOD origin/path` of a request, without the query string (which may carry secrets). */
export function describeRequest(method: string, url: string): string {
  try {
    const parsed = new URL(url);
    return `${method.toUpperCase()} ${parsed.origin}${parsed.pathname}`;
  } catch {
    return method.toUpperCase();
  }
}

/** What a sent request produced. */
export interface Sent {
  readonly response: Response;
  /**
   * The body text, when asked to read it. For a non-2xx answer, every secret
   * the request carried is masked in it (servers echo them in error bodies).
   */
  readonly text?: string;
  /**
   * For a non-2xx answer, the secrets the request carried (see
   * {@link requestSecrets}), for the errors made from it; empty otherwise.
   */
  readonly secrets: readonly string[];
}

const NONE: readonly string[] = [];

// Form fields whose values are secrets (RFC 6749 grants, RFC 7009 revocation, Podio's app grant).
const SECRET_FORM_FIELDS = new Set([
  "refresh_token",
  "password",
  "client_secret",
  "code",
  "code_verifier",
  "token",
  "assertion",
  "app_token",
  "access_token",
]);

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** The secrets in an `Authorization` header: the whole value, the credential, and Basic's decoded password. */
function authorizationSecrets(value: string): string[] {
  const [scheme = "", credential = ""] = value.split(/\s+(.*)/s);
  const found = [value, credential];
  if (scheme.toLowerCase() === "basic") {
    try {
      const decoded = new TextDecoder().decode(Uint8Array.from(atob(credential), (char) => char.charCodeAt(0)));
      const colon = decoded.indexOf(":");
      if (colon !== -1) found.push(decoded.slice(colon + 1), formDecode(decoded.slice(colon + 1)));
    } catch {
      // Not base64: the header as a whole is still masked.
    }
  }
  return found;
}

/**
 * The request's `Authorization` value, read without building a `Headers`: that
 * would throw for a token holding a newline, with the token in the message.
 */
function authorizationOf(headers: RequestInit["headers"]): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (headers instanceof Headers) return headers.get("authorization") ?? undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) {
    if (typeof name === "string" && name.toLowerCase() === "authorization" && typeof value === "string") return value;
  }
  return undefined;
}

/**
 * Every secret a request carries: its `Authorization` header (token, or Basic
 * client credentials), and the secret fields of a form body or query string
 * (refresh token, password, client secret, code, code verifier ...).
 */
export function requestSecrets(url: string, init: RequestInit): string[] {
  const found: string[] = [];
  const authorization = authorizationOf(init.headers);
  if (authorization) found.push(...authorizationSecrets(authorization));
  const forms: URLSearchParams[] = [];
  if (init.body instanceof URLSearchParams) forms.push(init.body);
  try {
    forms.push(new URL(url).searchParams);
  } catch {
    // An invalid URL fails in fetch, with nothing of ours in the message.
  }
  for (const form of forms) {
    for (const [name, value] of form) if (SECRET_FORM_FIELDS.has(name)) found.push(value);
  }
  return found;
}

export interface SendOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Read the body within the timeout too (a server can hang after the headers). */
  readonly readBody: boolean;
}

/**
 * `fetch` with a timeout and the caller's signal, turning failures into
 * `ERR_TIMEOUT` / `ERR_ABORTED` / `ERR_NETWORK` (all transient except a
 * caller's abort). Never includes headers in an error.
 */
export async function send(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  options: SendOptions,
): Promise<Sent> {
  // Only errors name the request: parsing the URL for it is left to them.
  const describe = () => describeRequest(init.method ?? "GET", url);
  // Only failures need the request's secrets: a 2xx never pays for finding them.
  const secretsOf = () => requestSecrets(url, init);
  if (options.signal?.aborted) {
    const request = describe();
    throw new PlatformApiError("ERR_ABORTED", `${request} was aborted`, {
      request,
      cause: options.signal.reason,
      secrets: secretsOf(),
    });
  }
  // A controller and a timer: measured on Node 20 against AbortSignal.timeout()
  // (whose creation alone costs several µs) and AbortSignal.any(), this is the
  // cheapest signal that still lets a timeout or the caller abort the request.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await fetchImpl(url, { ...init, signal: controller.signal });
    if (response.ok)
      return options.readBody ? { response, text: await response.text(), secrets: NONE } : { response, secrets: NONE };
    const secrets = secretsOf();
    if (!options.readBody) return { response, secrets };
    return { response, text: maskSecrets(await response.text(), secrets), secrets };
  } catch (error) {
    const request = describe();
    const secrets = secretsOf();
    if (timedOut) {
      throw new PlatformApiError("ERR_TIMEOUT", `${request}: no answer within ${options.timeoutMs} ms`, {
        request,
        transient: true,
        cause: error,
        secrets,
      });
    }
    if (options.signal?.aborted) {
      throw new PlatformApiError("ERR_ABORTED", `${request} was aborted`, { request, cause: error, secrets });
    }
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
    // fetch's own errors can quote a header value ("…is an invalid header value"): masked too.
    throw new PlatformApiError("ERR_NETWORK", `${request} failed${reason ? `: ${reason}` : ""}`, {
      request,
      transient: true,
      cause: error,
      secrets,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Parses a body: JSON when it is JSON, the text otherwise, `undefined` when empty. */
export function parseBody(text: string | undefined, contentType: string | null): unknown {
  if (text === undefined || text === "") return undefined;
  if (contentType?.includes("json") || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The `error` string of an OAuth / Podio error body, if any. */
export function oauthErrorOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === "string" ? error : undefined;
}

/** Whether an HTTP status is worth retrying later. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * The error for a non-2xx API answer.
 * @param secrets what the request carried (`Sent.secrets`), masked once more in the error.
 */
export function apiError(
  method: string,
  url: string,
  status: number,
  parsed: unknown,
  secrets?: readonly string[],
): PlatformApiError {
  const request = describeRequest(method, url);
  const oauthError = oauthErrorOf(parsed);
  const transient = isTransientStatus(status);
  const code = status === 401 ? "ERR_UNAUTHORIZED" : transient ? "ERR_SERVER" : "ERR_API_STATUS";
  return new PlatformApiError(code, `${request} answered HTTP ${status}${oauthError ? ` (${oauthError})` : ""}`, {
    status,
    body: parsed,
    request,
    transient,
    ...(oauthError ? { oauthError } : {}),
    ...(secrets ? { secrets } : {}),
  });
}
