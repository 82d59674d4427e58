import { inspect } from "node:util";
import fc from "fast-check";

/**
 * A random secret built to be hard to mask: a prefix and a suffix of the
 * characters that break naive patterns (`, ; } " \ ' / \n`, spaces, unicode,
 * long runs), around a random alphanumeric core. The core has no character any
 * encoding changes, so finding it in an output means part of the secret
 * leaked even when the whole did not (a mask that stopped at a `,`).
 */
export interface Secret {
  readonly value: string;
  readonly core: string;
}

const AWKWARD = [
  ",",
  ";",
  "}",
  "{",
  '"',
  "\\",
  "'",
  "/",
  "\n",
  " ",
  "=",
  "&",
  "+",
  "%",
  ":",
  "é",
  "ü",
  "€",
  "😀",
  "\u2028",
  "<",
  ">",
];

const awkwardRun = fc.oneof(
  fc.array(fc.constantFrom(...AWKWARD), { maxLength: 6 }).map((chars) => chars.join("")),
  fc.tuple(fc.constantFrom(...AWKWARD), fc.integer({ min: 20, max: 120 })).map(([char, count]) => char.repeat(count)),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);

const CORE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** Secrets as described on {@link Secret}. */
export const secretArb: fc.Arbitrary<Secret> = fc
  .tuple(awkwardRun, fc.array(fc.constantFrom(...CORE_CHARS), { minLength: 12, maxLength: 12 }), awkwardRun)
  .map(([prefix, core, suffix]) => ({ value: `${prefix}Q${core.join("")}Z${suffix}`, core: `Q${core.join("")}Z` }));

/** Secrets that an HTTP header can carry (no control characters, Latin-1 only). */
export const headerSecretArb: fc.Arbitrary<Secret> = secretArb.map(({ value, core }) => ({
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what a header may not hold
  value: value.replace(/[\u0000-\u001f\u007f]/g, "").replace(/[^\u0020-\u00ff]/g, "~"),
  core,
}));

/**
 * Secrets a platform may issue as a token: what the client's token-response rule
 * accepts (printable ASCII without space, RFC 6749 VSCHAR), so `, ; } " \\ ' /` stay in.
 */
export const tokenSecretArb: fc.Arbitrary<Secret> = secretArb.map(({ value, core }) => ({
  value: value.replace(/[^\u0021-\u007e]/g, "~"),
  core,
}));

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** How a hostile server or backend writes a secret back. */
export const ECHOES: Readonly<Record<string, (secret: string) => string>> = {
  raw: (secret) => secret,
  json: (secret) => JSON.stringify(secret).slice(1, -1),
  doubleJson: (secret) => JSON.stringify(JSON.stringify(secret)).slice(1, -1),
  tripleJson: (secret) => JSON.stringify(JSON.stringify(JSON.stringify(secret))).slice(1, -1),
  php: (secret) =>
    JSON.stringify(secret)
      .slice(1, -1)
      .replace(/\//g, "\\/")
      .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`),
  slashes: (secret) => JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/"),
  uri: (secret) => encodeURIComponent(secret),
  form: (secret) => new URLSearchParams({ s: secret }).toString().slice(2),
  plus: (secret) => encodeURIComponent(secret).replace(/%20/g, "+"),
  base64: (secret) => base64(secret),
};

export const echoNameArb = fc.constantFrom(...Object.keys(ECHOES));

/** Every text form a logger or a terminal could show for `value`. */
export function textsOf(value: unknown): string[] {
  const texts = [inspect(value, { depth: 20, showHidden: true }), String(value)];
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // A cycle: inspect covers it.
  }
  for (let error = value, depth = 0; error instanceof Error && depth < 10; depth += 1) {
    texts.push(error.message, error.stack ?? "", inspect(error, { depth: 20 }));
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) texts.push(...textsOf(inner));
    error = error.cause;
  }
  return texts;
}

/**
 * Every 8-character window of a core: V8's SyntaxError quotes about ten
 * characters around the fault, so a leak may be a piece of the core only.
 */
function fragmentsOf(core: string): string[] {
  const fragments: string[] = [];
  for (let at = 0; at + 8 <= core.length; at += 1) fragments.push(core.slice(at, at + 8));
  return fragments;
}

/** The places `secret` (or its core) shows up in any text form of `values`, for a readable failure. */
export function leaksOf(secrets: readonly Secret[], values: readonly unknown[]): string[] {
  const found: string[] = [];
  for (const value of values) {
    for (const text of typeof value === "string" ? [value] : textsOf(value)) {
      for (const secret of secrets) {
        const at = [secret.value, ...fragmentsOf(secret.core)]
          .map((part) => text.indexOf(part))
          .find((index) => index !== -1);
        if (at === undefined) continue;
        found.push(`${JSON.stringify(secret.value)} in …${text.slice(Math.max(0, at - 80), at + 80)}…`);
      }
    }
  }
  return found;
}
