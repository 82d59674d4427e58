import { SessionStoreError } from "@sessionstore/core";
import { isExpired } from "@sessionstore/core/adapter";

/** Marks the JSON document as ours and says which layout it has. */
export const FORMAT_VERSION = 1;

/** A record as kept in memory: its JSON text, or what was found when that text is unreadable. */
export type RecordEntry =
  | { readonly kind: "record"; readonly text: string; readonly expiresAt: number | undefined }
  | { readonly kind: "corrupt"; readonly raw: unknown };

/** A lease taken by `store.lock()`, stored beside the records but never mixed with them. */
export interface LockEntry {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * The whole file in memory. Maps, not plain objects: keys are arbitrary
 * strings, and `__proto__` as a plain-object key would change the prototype.
 */
export interface FileData {
  readonly records: Map<string, RecordEntry>;
  readonly locks: Map<string, LockEntry>;
}

/**
 * Why a file could not be loaded; the adapter decides what to do with each kind:
 * - `corrupt`: recognisably a sessionstore file, and broken (moved aside);
 * - `foreign`: not a sessionstore file at all (refused, never touched);
 * - `newer-version`: a sessionstore file of a later format (refused, never touched).
 */
export class FileFormatError extends Error {
  constructor(
    readonly kind: "corrupt" | "foreign" | "newer-version",
    message: string,
  ) {
    super(message);
    this.name = "FileFormatError";
  }
}

/**
 * How every file this store writes begins (`serializeFileData`, and 0.1.0's
 * files alike): the format marker is the first key. A torn copy of our own
 * file still begins so; a SQLite database, a package.json or a text file does not.
 */
const OUR_PREFIX = /^\s*\{\s*"sessionstore"\s*:\s*\d/;

/** The data of a file that does not exist yet. */
export function emptyFileData(): FileData {
  return { records: new Map(), locks: new Map() };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function readRecordEntry(raw: unknown): RecordEntry {
  // One bad entry stays local to its key (get reports it); the rest of the file is still served.
  if (!isPlainObject(raw) || typeof raw.record !== "string") return { kind: "corrupt", raw };
  if (raw.expiresAt !== undefined && !isFiniteNumber(raw.expiresAt)) return { kind: "corrupt", raw };
  return { kind: "record", text: raw.record, expiresAt: raw.expiresAt };
}

/**
 * Parses the file's text.
 *
 * Only a file that is recognisably ours and broken is `corrupt`: the marker
 * `"sessionstore": <format>` as its first key (also when the JSON is cut
 * short), or a parsed object carrying the marker with bad records. Anything
 * else is `foreign`, including an empty file: this store never writes one
 * (every write is a complete document renamed into place), so zero bytes were
 * put there by someone else, and a file the store did not create is not its to
 * overwrite.
 * @throws FileFormatError
 */
export function parseFileData(text: string): FileData {
  if (text.trim().length === 0) {
    throw new FileFormatError("foreign", "the file is empty, and this store never writes an empty file");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's SyntaxError quotes the text around the fault (the tokens): only the size is told.
    if (OUR_PREFIX.test(text)) throw new FileFormatError("corrupt", `not valid JSON (${text.length} characters)`);
    throw new FileFormatError("foreign", "it is not JSON");
  }
  const version = isPlainObject(parsed) ? parsed.sessionstore : undefined;
  if (!isPlainObject(parsed) || !isFiniteNumber(version)) {
    throw new FileFormatError("foreign", 'it is JSON without the "sessionstore" format marker');
  }
  if (version > FORMAT_VERSION) {
    throw new FileFormatError("newer-version", `the file has format ${version}; this version reads ${FORMAT_VERSION}`);
  }
  if (version !== FORMAT_VERSION || !isPlainObject(parsed.records)) {
    throw new FileFormatError("corrupt", "its records are not a JSON object");
  }
  const data = emptyFileData();
  for (const [key, raw] of Object.entries(parsed.records)) data.records.set(key, readRecordEntry(raw));
  if (isPlainObject(parsed.locks)) {
    for (const [name, raw] of Object.entries(parsed.locks)) {
      // A malformed lease protects nothing: dropping it frees the name, as its expiry would.
      if (isPlainObject(raw) && typeof raw.token === "string" && isFiniteNumber(raw.expiresAt)) {
        data.locks.set(name, { token: raw.token, expiresAt: raw.expiresAt });
      }
    }
  }
  return data;
}

/** The file's text for `data`: indented, so a person can read it when debugging. */
export function serializeFileData(data: FileData): string {
  // Object.fromEntries defines own properties, so a `__proto__` key is written as data.
  const records = Object.fromEntries(
    [...data.records].map(([key, entry]) => [
      key,
      entry.kind === "corrupt"
        ? entry.raw
        : entry.expiresAt === undefined
          ? { record: entry.text }
          : { record: entry.text, expiresAt: entry.expiresAt },
    ]),
  );
  const locks = Object.fromEntries(data.locks);
  return `${JSON.stringify({ sessionstore: FORMAT_VERSION, records, locks }, null, 2)}\n`;
}

/** Whether `entry` counts as present at `now` (a corrupt entry is present: reading it must report it). */
export function isLiveEntry(entry: RecordEntry | undefined, now: number): entry is RecordEntry {
  if (entry === undefined) return false;
  return entry.kind === "corrupt" || !isExpired(entry.expiresAt, now);
}

/** Drops expired records and leases, so the file does not grow with dead sessions. */
export function purgeExpired(data: FileData, now: number): void {
  for (const [key, entry] of data.records) {
    if (entry.kind === "record" && isExpired(entry.expiresAt, now)) data.records.delete(key);
  }
  for (const [name, lease] of data.locks) {
    if (lease.expiresAt <= now) data.locks.delete(name);
  }
}

/** The error for an entry whose stored shape is wrong (its text, when it has one, goes through `parseRecord`). */
export function corruptEntryError(key: string): SessionStoreError {
  return new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not a stored record`);
}
