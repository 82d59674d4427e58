import { invalidArgument } from "../errors.js";
import type { ShouldRefresh } from "../platform.js";
import { parseBody, type Sent } from "./http.js";

/** The API base URL, parsed once (see {@link apiBase}). */
export interface ApiBase {
  /** The URL as given, without trailing slashes: relative paths are appended to it. */
  readonly prefix: string;
  /** Its origin: absolute URLs must have this one. */
  readonly origin: string;
}

/** Parses the API base URL once, so each request only joins strings. */
export function apiBase(apiURL: string): ApiBase {
  return { prefix: apiURL.replace(/\/+$/, ""), origin: new URL(apiURL).origin };
}

/** Resolves `path` against the API base URL; absolute URLs must stay on the API's origin (the token goes with them). */
export function resolveApiURL(base: ApiBase, path: string): string {
  if (typeof path !== "string" || path.length === 0) throw invalidArgument("path", "must be a non-empty string");
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    const absolute = new URL(path);
    if (absolute.origin !== base.origin) {
      throw invalidArgument(
        "url",
        `must be on the API's origin (${base.origin}): the access token is never sent elsewhere`,
      );
    }
    return absolute.toString();
  }
  if (path.startsWith("//")) throw invalidArgument("path", "must not be protocol-relative");
  return `${base.prefix}${path.startsWith("/") ? "" : "/"}${path}`;
}

function toQuery(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    params.append(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * Builds the request for `PlatformClient.request`: JSON body, or for GET/HEAD
 * (as podio-js did) the body's fields as the query string.
 */
export function buildJsonRequest(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> | undefined,
): { url: string; init: RequestInit } {
  const verb = method.toUpperCase();
  const merged: Record<string, string> = { accept: "application/json" };
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "authorization") merged[name.toLowerCase()] = value;
  }
  if (verb === "GET" || verb === "HEAD") {
    const separator = url.includes("?") ? "&" : "?";
    const query = toQuery(body);
    return { url: query ? `${url}${separator}${query.slice(1)}` : url, init: { method: verb, headers: merged } };
  }
  if (body === undefined) return { url, init: { method: verb, headers: merged } };
  merged["content-type"] ??= "application/json";
  return { url, init: { method: verb, headers: merged, body: JSON.stringify(body) } };
}

/** Whether a fetch body can be sent twice (a stream cannot). */
export function isReplayable(body: RequestInit["body"]): boolean {
  return (
    body === undefined || body === null || !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream)
  );
}

// What `Headers` accepts as they are: a token name, and a string value without
// NUL, CR, LF or characters past U+00FF. Anything else takes the `Headers` path,
// which throws the same TypeError as before, before the request is sent.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function isPlainHeaderRecord(headers: RequestInit["headers"]): headers is Record<string, string> {
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) return false;
  const prototype: unknown = Object.getPrototypeOf(headers);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const name of Object.keys(headers)) {
    const value: unknown = (headers as Record<string, unknown>)[name];
    if (!HEADER_NAME.test(name) || typeof value !== "string" || BAD_HEADER_VALUE.test(value)) return false;
  }
  return true;
}

/**
 * A copy of `init` carrying the access token, replacing any `authorization`
 * header. Headers given as a plain object (or none) stay a plain object, which
 * fetch takes as well and which costs far less than a `Headers` per request.
 */
export function withToken(init: RequestInit, scheme: string, accessToken: string): RequestInit {
  const authorization = `${scheme} ${accessToken}`;
  const given = init.headers;
  if (given === undefined || isPlainHeaderRecord(given)) {
    const headers: Record<string, string> = {};
    if (given !== undefined) {
      for (const name of Object.keys(given)) {
        if (name.toLowerCase() !== "authorization") headers[name] = given[name] as string;
      }
    }
    headers.authorization = authorization;
    return { ...init, headers };
  }
  const headers = new Headers(given);
  headers.set("authorization", authorization);
  return { ...init, headers };
}

/** The body of a response whose body the caller still owns: read from a clone, within `timeoutMs`. */
async function peekBody(response: Response, timeoutMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const text = await Promise.race([response.clone().text(), late]);
    return parseBody(text, response.headers.get("content-type"));
  } catch {
    // A body that cannot be read says nothing: the headers alone decide.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a 401 answer is worth one refresh and one retry: the request can be
 * sent again (its body is no stream) and the client's `shouldRefresh` rule
 * (its option, else the platform profile's, else RFC 6750's) says so.
 * A `fetch()` caller's body is left unread: the rule sees a clone's.
 */
export async function wantsRefresh(
  sent: Sent,
  requestBody: RequestInit["body"],
  { shouldRefresh, timeoutMs }: { readonly shouldRefresh: ShouldRefresh; readonly timeoutMs: number },
): Promise<boolean> {
  if (!isReplayable(requestBody)) return false;
  const { response } = sent;
  const body =
    sent.text === undefined
      ? await peekBody(response, timeoutMs)
      : parseBody(sent.text, response.headers.get("content-type"));
  return shouldRefresh(response, body) === true;
}
