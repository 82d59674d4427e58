import { invalidArgument } from "../errors.js";

/** Resolves `path` against the API base URL; absolute URLs must stay on the API's origin (the token goes with them). */
export function resolveApiURL(apiURL: string, path: string): string {
  if (typeof path !== "string" || path.length === 0) throw invalidArgument("path", "must be a non-empty string");
  const base = new URL(apiURL);
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
  const prefix = apiURL.replace(/\/+$/, "");
  return `${prefix}${path.startsWith("/") ? "" : "/"}${path}`;
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

/** A copy of `init` carrying the access token. */
export function withToken(init: RequestInit, scheme: string, accessToken: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("authorization", `${scheme} ${accessToken}`);
  return { ...init, headers };
}
