import { MIN_SECRET_LENGTH, maskText, secretSpellings } from "./secret-text.js";

/**
 * The secrets an operation carried: the values themselves, or an object (a
 * record, an auth object, a form) whose secret-named fields are collected.
 */
export type SecretSource = string | readonly unknown[] | object | undefined;

// Field names whose values are secrets; `tokenType`, `token_type_hint`, `expiresIn` are not.
const SECRET_FIELD = /token|secret|password|passphrase|authorization|verifier|credential|api_?key|^code$|^key$/i;
const NOT_SECRET_FIELD = /type|hint|expires|_at$|At$|url$/i;
const MAX_DEPTH = 8;

function collect(source: unknown, into: Set<string>, depth: number, named: boolean): void {
  if (depth > MAX_DEPTH || source === null || source === undefined) return;
  if (typeof source === "string") {
    if (!named) return;
    // HTTP trims a header value's outer whitespace: what the server saw (and echoes) is the trimmed value.
    for (const value of [source, source.trim()]) if (value.length >= MIN_SECRET_LENGTH) into.add(value);
    return;
  }
  if (Array.isArray(source)) {
    for (const entry of source) collect(entry, into, depth + 1, named);
    return;
  }
  if (typeof source !== "object") return;
  for (const [name, value] of Object.entries(source)) {
    collect(value, into, depth + 1, named || (SECRET_FIELD.test(name) && !NOT_SECRET_FIELD.test(name)));
  }
}

/** The secret strings in `source` (see {@link SecretSource}), at least {@link MIN_SECRET_LENGTH} long. */
export function collectSecrets(source: SecretSource): string[] {
  const found = new Set<string>();
  if (typeof source === "string" || Array.isArray(source)) collect(source, found, 0, true);
  else collect(source, found, 0, false);
  return [...found];
}

/** How {@link maskSecrets} rewrites text. */
export interface MaskOptions {
  /** A second pass for what no exact secret covers (e.g. `redactTokens`). */
  readonly patterns?: (text: string) => string;
}

/**
 * A copy of `value` in which every spelling of every secret (raw, JSON-escaped,
 * `\/`, `\uxxxx`, URL-encoded, base64…) is masked: strings; arrays and objects;
 * errors with their message, stack, `cause` chain, `AggregateError.errors` and
 * every own property (`sql`, `detail`, `command`…). Errors stay instances of
 * their class. What holds no secret is returned as it is (same object).
 */
export function maskSecrets<T>(value: T, secrets: SecretSource, options: MaskOptions = {}): T {
  const spellings = collectSecrets(secrets).flatMap(secretSpellings);
  const { patterns } = options;
  if (spellings.length === 0 && !patterns) return value;
  const text = (input: string) => {
    const masked = maskText(input, spellings);
    return patterns ? patterns(masked) : masked;
  };
  return walk(value, text, 0, new Map()) as T;
}

function walk(value: unknown, text: (input: string) => string, depth: number, seen: Map<object, unknown>): unknown {
  if (typeof value === "string") return text(value);
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  // Bytes print as bytes, never as the text they may hold: left alone.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  seen.set(value, value);
  if (Array.isArray(value)) {
    const copy = value.map((entry) => walk(entry, text, depth + 1, seen));
    const changed = copy.some((entry, index) => entry !== value[index]);
    const result = changed ? copy : value;
    seen.set(value, result);
    return result;
  }
  return copyObject(value, text, depth, seen);
}

/** Own properties (enumerable or not: `message`, `stack`, `cause`, `errors`) masked into a copy of the same class. */
function copyObject(
  value: object,
  text: (input: string) => string,
  depth: number,
  seen: Map<object, unknown>,
): unknown {
  const descriptors = Object.getOwnPropertyDescriptors(value) as Record<PropertyKey, PropertyDescriptor>;
  let changed = false;
  const masked: Record<PropertyKey, PropertyDescriptor> = {};
  for (const key of Reflect.ownKeys(descriptors)) {
    const descriptor = descriptors[key as string];
    if (!descriptor) continue;
    if ("value" in descriptor) {
      const next = walk(descriptor.value, text, depth + 1, seen);
      if (next !== descriptor.value) changed = true;
      masked[key as string] = { ...descriptor, value: next };
    } else if (key === "stack" && value instanceof Error) {
      // Engines that keep `stack` behind an accessor: read it once, store the masked text.
      const stack = value.stack;
      const next = typeof stack === "string" ? text(stack) : stack;
      if (next !== stack) changed = true;
      masked.stack = { value: next, writable: true, enumerable: false, configurable: true };
    } else {
      masked[key as string] = descriptor;
    }
  }
  if (!changed) return value;
  if (value instanceof Error) {
    // Some classes (DOMException) keep name and message behind prototype getters
    // that throw on a copy: the copy gets them as plain own values.
    for (const key of ["name", "message"] as const) {
      if (!masked[key]) masked[key] = { value: text(String(value[key])), writable: true, configurable: true };
    }
  }
  const copy: object = Object.create(Object.getPrototypeOf(value) as object | null, masked);
  seen.set(value, copy);
  return copy;
}
