import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 1_000_000;

/** Reads the request body as text (bounded). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a form or JSON body into string fields (what a token endpoint reads). */
export function parseParams(req: IncomingMessage, text: string): Record<string, string> {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) {
    const parsed: unknown = text ? JSON.parse(text) : {};
    const fields: Record<string, string> = {};
    if (typeof parsed === "object" && parsed !== null) {
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === "string" || typeof value === "number") fields[key] = String(value);
      }
    }
    return fields;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Parses a JSON body leniently: anything unparsable is kept as text. */
export function parseJsonBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends JSON with the headers RFC 6749 §5.1 asks of token responses (harmless elsewhere). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    pragma: "no-cache",
    "content-length": Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

/** An OAuth error answer ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)). */
export function sendOAuthError(
  res: ServerResponse,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error, error_description: description }, headers);
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the body. */
export function clientCredentials(
  req: IncomingMessage,
  params: Record<string, string>,
): { clientId?: string; clientSecret?: string; basic: boolean } {
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
        basic: true,
      };
    }
  }
  return {
    ...(params.client_id === undefined ? {} : { clientId: params.client_id }),
    ...(params.client_secret === undefined ? {} : { clientSecret: params.client_secret }),
    basic: false,
  };
}

/** The token from `Authorization: Bearer x` or podio-js's `Authorization: OAuth2 x`. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^(?:bearer|oauth2)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** Headers a browser may read from a cross-origin answer (besides the CORS-safelisted ones). */
const EXPOSED_HEADERS = "WWW-Authenticate, Retry-After, Content-Length";

/**
 * CORS, so a browser app served from another origin (a dev server on another
 * port) can call the platform: every answer carries
 * `Access-Control-Allow-Origin` (the caller's origin, echoed), and a preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) is answered here with what
 * it asked for.
 * @returns true when the request was a preflight and is answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  const requestedMethod = req.headers["access-control-request-method"];
  if (req.method !== "OPTIONS" || requestedMethod === undefined) return false;
  res.writeHead(204, {
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
    "Content-Length": "0",
  });
  res.end();
  return true;
}
