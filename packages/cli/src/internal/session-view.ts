import type { AuthObject, AuthType, JsonValue, SessionInfo, StoredSession } from "@sessionstore/core";
import { expiryPhrase, fields, isoTime, printable, relativeTime } from "./format.js";

// Fields whose values are shown without --reveal: times, type, scope, podio's ref.
// Everything else (the tokens, and any field we do not know) is a secret until proven otherwise.
const METADATA_FIELDS = new Set([
  "expiresIn",
  "expiresAt",
  "issuedAt",
  "refreshExpiresAt",
  "tokenType",
  "scope",
  "ref",
]);

/** Where a session sits: the parts of its key. */
export interface SessionAddress {
  readonly key: string;
  readonly subject: string;
  readonly authType: AuthType;
}

/** A `list` row as `--json` prints it. */
export interface ListEntryJson {
  key: string;
  subject: string;
  authType: AuthType;
  /** `false` when the record is corrupt or encrypted with a key the CLI lacks. */
  readable: boolean;
  expiresAt: string | null;
  expiresInSeconds: number | null;
  expired: boolean | null;
  refreshable: boolean | null;
  updatedAt: string | null;
  tokens?: Record<string, JsonValue>;
}

/** A session as `show --json` prints it. */
export interface SessionJson {
  key: string;
  subject: string;
  authType: AuthType;
  expiresAt: string | null;
  expiresInSeconds: number | null;
  expired: boolean | null;
  refreshable: boolean;
  refreshExpiresAt: string | null;
  issuedAt: string | null;
  updatedAt: string;
  tokenType: string | null;
  scope: string | null;
  ref: JsonValue;
  fingerprint: string | null;
  /** Names of the fields whose values are withheld (tokens and unknown fields). */
  hiddenFields: string[];
  /** Only with `--reveal`: the withheld values. */
  tokens?: Record<string, JsonValue>;
}

/** The field names withheld without `--reveal`, in a stable order (tokens first). */
export function hiddenFieldNames(auth: AuthObject): string[] {
  const order = ["accessToken", "refreshToken", "transferToken", "idToken"];
  const hidden = Object.keys(auth).filter((name) => !METADATA_FIELDS.has(name) && auth[name] != null);
  return hidden.sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
}

function rank(order: readonly string[], name: string): number {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}

/** The withheld values, for `--reveal`. */
export function tokenValues(auth: AuthObject): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  for (const name of hiddenFieldNames(auth)) values[name] = toJsonValue(auth[name]);
  return values;
}

function toJsonValue(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

function expiryJson(expiresAt: number | undefined, now: number) {
  if (expiresAt === undefined) return { expiresAt: null, expiresInSeconds: null, expired: null };
  return {
    expiresAt: isoTime(expiresAt),
    expiresInSeconds: Math.trunc((expiresAt - now) / 1000),
    expired: expiresAt <= now,
  };
}

/** A `list` row for `--json`. */
export function listEntryJson(info: SessionInfo, now: number, tokens?: Record<string, JsonValue>): ListEntryJson {
  return {
    key: info.key,
    subject: info.subject,
    authType: info.authType,
    readable: info.corrupt !== true,
    ...expiryJson(info.expiresAt, now),
    refreshable: info.corrupt ? null : info.refreshable,
    updatedAt: info.updatedAt === undefined ? null : isoTime(info.updatedAt),
    ...(tokens ? { tokens } : {}),
  };
}

/** A `list` row for the table: subject, auth type, access token, refresh token, updated. */
export function listRow(info: SessionInfo, now: number): string[] {
  const base = [printable(info.subject), info.authType];
  if (info.corrupt) return [...base, "unreadable record (corrupt, or encrypted)", "-", "-"];
  return [
    ...base,
    expiryPhrase(info.expiresAt, now),
    info.refreshable ? "yes" : "no",
    info.updatedAt === undefined ? "-" : relativeTime(info.updatedAt, now).replace(/ \(.*$/, ""),
  ];
}

/** One session for `show --json`. */
export function sessionJson(
  address: SessionAddress,
  session: StoredSession,
  now: number,
  reveal: boolean,
): SessionJson {
  const { auth } = session;
  return {
    key: address.key,
    subject: address.subject,
    authType: address.authType,
    ...expiryJson(auth.expiresAt, now),
    refreshable: typeof auth.refreshToken === "string",
    refreshExpiresAt: auth.refreshExpiresAt === undefined ? null : isoTime(auth.refreshExpiresAt),
    issuedAt: auth.issuedAt === undefined ? null : isoTime(auth.issuedAt),
    updatedAt: isoTime(session.updatedAt),
    tokenType: auth.tokenType ?? null,
    scope: auth.scope ?? null,
    ref: toJsonValue(auth.ref),
    fingerprint: session.fingerprint ?? null,
    hiddenFields: hiddenFieldNames(auth),
    ...(reveal ? { tokens: tokenValues(auth) } : {}),
  };
}

/** One session as labelled lines for `show`. */
export function sessionText(address: SessionAddress, session: StoredSession, now: number, reveal: boolean): string {
  const { auth } = session;
  const hidden = hiddenFieldNames(auth);
  const refresh =
    typeof auth.refreshToken !== "string"
      ? "none (the session ends when the access token expires)"
      : auth.refreshExpiresAt === undefined
        ? "held, no expiry recorded"
        : `held, ${expiryPhrase(auth.refreshExpiresAt, now)}`;
  const entries: [string, string][] = [
    ["key", printable(address.key)],
    ["subject", printable(address.subject)],
    ["auth type", address.authType],
    ["access token", expiryPhrase(auth.expiresAt, now)],
    ["refresh token", refresh],
  ];
  if (auth.issuedAt !== undefined) entries.push(["issued", relativeTime(auth.issuedAt, now)]);
  entries.push(["updated", relativeTime(session.updatedAt, now)]);
  if (auth.tokenType !== undefined) entries.push(["token type", printable(auth.tokenType)]);
  if (auth.scope !== undefined) entries.push(["scope", printable(auth.scope)]);
  if (auth.ref != null) entries.push(["ref", printable(JSON.stringify(auth.ref))]);
  if (session.fingerprint !== undefined) entries.push(["fingerprint", printable(session.fingerprint)]);
  if (reveal) {
    for (const [name, value] of Object.entries(tokenValues(auth))) {
      entries.push([printable(name), printable(typeof value === "string" ? value : JSON.stringify(value))]);
    }
  } else if (hidden.length > 0) {
    entries.push(["hidden", `${hidden.map(printable).join(", ")} (use --reveal to print their values)`]);
  }
  return fields(entries);
}

/** `list --reveal`'s block for one session: its key, then each withheld field and value, escaped. */
export function revealedText(key: string, values: Readonly<Record<string, JsonValue>>): string {
  const lines = Object.entries(values).map(
    ([name, value]) =>
      `  ${printable(name)}  ${printable(typeof value === "string" ? value : JSON.stringify(value))}\n`,
  );
  return `\n${printable(key)}\n${lines.join("")}`;
}
