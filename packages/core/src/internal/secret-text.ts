/** What a masked secret is replaced with. */
export const MASK = "[redacted]";

/**
 * Shorter values are not masked: a 3-character "secret" would turn ordinary
 * words of a message into `[redacted]` and hides next to nothing.
 */
export const MIN_SECRET_LENGTH = 4;

const PERCENT = (char: string) =>
  [...new TextEncoder().encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");

// application/x-www-form-urlencoded as URLSearchParams writes it (WHATWG URL §5.2).
function formEncode(text: string): string {
  return [...text].map((char) => (/[A-Za-z0-9*\-._]/.test(char) ? char : char === " " ? "+" : PERCENT(char))).join("");
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const unicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** JSON string body (no quotes) as the serialisers servers and drivers use write it. */
function jsonBodies(text: string): string[] {
  const plain = JSON.stringify(text).slice(1, -1);
  // PHP's json_encode: `\/` and every non-ASCII UTF-16 unit as `\uxxxx`.
  const php = plain.replace(/\//g, "\\/").replace(/[\u007f-\uffff]/g, unicodeEscape);
  return [
    plain,
    plain.replace(/\//g, "\\/"),
    php,
    php.replace(/\\u([0-9a-f]{4})/g, (_m, hex: string) => `\\u${hex.toUpperCase()}`),
    // Go's encoding/json: HTML-significant characters and U+2028/2029 as `\u00xx`.
    plain.replace(/[<>&\u2028\u2029]/g, unicodeEscape),
  ];
}

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Every spelling of `secret` a server or backend is known to echo: raw,
 * JSON-escaped (up to three levels, with `\/` and `\uxxxx` styles),
 * URL-encoded (`%20` and `+`), HTML-escaped and base64. Longest first.
 */
export function secretSpellings(secret: string): string[] {
  const spellings = new Set<string>([secret]);
  let level = [secret];
  for (let depth = 0; depth < 3; depth += 1) {
    level = level.flatMap(jsonBodies);
    for (const spelling of level) spellings.add(spelling);
  }
  const uri = encodeURIComponent(secret);
  for (const spelling of [uri, uri.replace(/%20/g, "+"), formEncode(secret), encodeURI(secret)]) {
    spellings.add(spelling);
    spellings.add(spelling.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  }
  spellings.add(secret.replace(/[&<>"']/g, (char) => HTML[char] ?? char));
  const encoded = base64(secret);
  spellings.add(encoded);
  spellings.add(encoded.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
  return [...spellings].filter((spelling) => spelling.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of every spelling replaced by {@link MASK}.
 * Overlapping and adjacent occurrences (two secrets sharing characters) are
 * merged first, so no fragment of either survives between two masks.
 */
export function maskText(text: string, spellings: readonly string[]): string {
  if (spellings.length === 0 || text.length === 0) return text;
  const ranges: [number, number][] = [];
  for (const spelling of spellings) {
    for (let at = text.indexOf(spelling); at !== -1; at = text.indexOf(spelling, at + 1)) {
      ranges.push([at, at + spelling.length]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = "";
  let cursor = 0;
  let end = -1;
  for (const [start, stop] of ranges) {
    if (start > end) {
      if (end >= 0) out += MASK;
      out += text.slice(cursor, start);
    }
    end = Math.max(end, stop);
    cursor = end;
  }
  return `${out}${MASK}${text.slice(cursor)}`;
}

const BEARER = /\b(bearer)\s+[^\s"'\\]+|\b(basic|oauth2)\s+[A-Za-z0-9+/=._~-]{8,}/gi;
const TOKEN_NAME =
  /((?:access|refresh|id|transfer)[_-]?token|authorization|client[_-]?secret|password|code[_-]?verifier)((?:\\*["'])?\s*[:=]\s*(\\*["'])?)/gi;

/** Where a value that starts at `from` ends: at its closing quote (same escaping level), else at a space or `&`. */
function valueEnd(text: string, from: number, opening: string | undefined): number {
  if (opening === undefined) {
    const stop = text.slice(from).search(/[\s&]/);
    return stop === -1 ? text.length : from + stop;
  }
  const quote = opening.at(-1) ?? '"';
  const slashes = opening.length - 1;
  for (let at = text.indexOf(quote, from); at !== -1; at = text.indexOf(quote, at + 1)) {
    let before = 0;
    while (text[at - 1 - before] === "\\") before += 1;
    if (before === slashes) return at - slashes;
  }
  return text.length;
}

/**
 * Masks anything that looks like a token assignment in a free-text message:
 * `Bearer x`, `refresh_token=x`, `"accessToken":"x"`, `\"password\":\"x\"`.
 * A quoted value is masked up to its closing quote (escaped quotes, `,;}`
 * inside it included), an unquoted one up to the next space or `&`. This is
 * the fallback for text no exact secret is known for; see `maskSecrets`.
 */
export function redactTokens(text: string): string {
  let out = "";
  let cursor = 0;
  TOKEN_NAME.lastIndex = 0;
  for (let match = TOKEN_NAME.exec(text); match; match = TOKEN_NAME.exec(text)) {
    const valueStart = match.index + match[0].length;
    if (valueStart < cursor) continue;
    if (/^bearer\s/i.test(text.slice(valueStart, valueStart + 7))) continue;
    const end = valueEnd(text, valueStart, match[3]);
    if (end === valueStart) continue;
    out += `${text.slice(cursor, valueStart)}${MASK}`;
    cursor = end;
    TOKEN_NAME.lastIndex = Math.max(TOKEN_NAME.lastIndex, end);
  }
  return `${out}${text.slice(cursor)}`.replace(
    BEARER,
    (_match, bearer?: string, scheme?: string) => `${bearer ?? scheme} ${MASK}`,
  );
}
