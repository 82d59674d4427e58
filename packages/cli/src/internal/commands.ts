import {
  AUTH_TYPES,
  type AuthType,
  DEFAULT_SUBJECT,
  isSessionStoreError,
  type JsonValue,
  type SessionInfo,
  type SessionManager,
  type StoredSession,
} from "@sessionstore/core";
import { EXIT_CODES } from "../exit-codes.js";
import type { CommandOptions } from "./args.js";
import { CliError, usageError } from "./cli-error.js";
import { elsewhereHint } from "./elsewhere.js";
import { table } from "./format.js";
import type { CommandName } from "./help.js";
import { revokeAllCommand } from "./revoke-all-command.js";
import {
  listEntryJson,
  listRow,
  revealedText,
  type SessionAddress,
  sessionJson,
  sessionText,
  tokenValues,
} from "./session-view.js";

/** What a command runs with. */
export interface CommandContext {
  readonly manager: SessionManager;
  readonly options: CommandOptions;
  /** The store URI, safe to print. */
  readonly storeDisplay: string;
  /** One instant for the whole run, so every row is measured against the same clock. */
  readonly now: number;
  readonly out: (text: string) => void;
  /** Progress and warnings (stderr). */
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (a progress bar may be drawn there). */
  readonly errIsTTY: boolean;
}

/** Every command, by name. */
export const COMMAND_HANDLERS: Record<CommandName, (context: CommandContext) => Promise<void>> = {
  list: listCommand,
  show: showCommand,
  delete: deleteCommand,
  clear: clearCommand,
  "revoke-all": revokeAllCommand,
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const AUTH_ORDER = (authType: AuthType) => AUTH_TYPES.indexOf(authType);

async function listCommand({ manager, options, storeDisplay, now, out }: CommandContext): Promise<void> {
  const sessions = (await manager.list())
    .filter((info) => options.subject === undefined || info.subject === options.subject)
    .filter((info) => options.authType === undefined || info.authType === options.authType)
    .sort((a, b) => a.subject.localeCompare(b.subject) || AUTH_ORDER(a.authType) - AUTH_ORDER(b.authType));
  const tokens = options.reveal ? await readTokens(manager, sessions) : new Map<string, Record<string, JsonValue>>();

  if (options.json) {
    out(
      json({
        namespace: manager.namespace,
        store: storeDisplay,
        sessions: sessions.map((info) => listEntryJson(info, now, options.reveal ? tokens.get(info.key) : undefined)),
      }),
    );
    return;
  }
  const where = `namespace "${manager.namespace}" (${storeDisplay})`;
  const filtered = options.subject !== undefined || options.authType !== undefined ? " matching the filter" : "";
  if (sessions.length === 0) {
    out(`No sessions${filtered} in ${where}.\n${await elsewhereHint(manager, storeDisplay)}`);
    return;
  }
  const rows = sessions.map((info) => listRow(info, now));
  out(`${table(["SUBJECT", "AUTH TYPE", "ACCESS TOKEN", "REFRESH", "UPDATED"], rows)}\n`);
  out(`\n${plural(sessions.length, "session")}${filtered} in ${where}.\n`);
  if (options.reveal) {
    for (const info of sessions) {
      const values = tokens.get(info.key);
      if (values) out(revealedText(info.key, values));
    }
  }
}

async function readTokens(manager: SessionManager, sessions: readonly SessionInfo[]) {
  const tokens = new Map<string, Record<string, JsonValue>>();
  for (const info of sessions) {
    if (info.corrupt) continue;
    const session = await manager.forSubject(info.subject).read(info.authType);
    if (session) tokens.set(info.key, tokenValues(session.auth));
  }
  return tokens;
}

interface Found {
  readonly address: SessionAddress;
  /** The session, or the error that reading it raised (an unreadable record). */
  readonly session: StoredSession | undefined;
  readonly readError?: unknown;
}

function isUnreadable(error: unknown): boolean {
  return isSessionStoreError(error, "ERR_CORRUPT_RECORD") || isSessionStoreError(error, "ERR_DECRYPT");
}

/**
 * The one session `show`/`delete` act on: the given auth type, or the
 * subject's only session. Several sessions without `--auth-type` is a usage
 * error: guessing which one to delete is not ours to do.
 */
async function findOne(manager: SessionManager, options: CommandOptions, command: CommandName): Promise<Found> {
  const subject = options.subject ?? DEFAULT_SUBJECT;
  const scoped = manager.forSubject(subject);
  const candidates = options.authType === undefined ? AUTH_TYPES : [options.authType];
  const found: Found[] = [];
  for (const authType of candidates) {
    const address = { key: scoped.keyFor(authType), subject, authType };
    try {
      const session = await scoped.read(authType);
      if (session) found.push({ address, session });
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      found.push({ address, session: undefined, readError: error });
    }
  }
  const where = `in namespace "${manager.namespace}"`;
  if (found.length === 0) {
    const what =
      options.authType === undefined
        ? `no session for subject "${subject}"`
        : `no session for subject "${subject}" with auth type "${options.authType}"`;
    const hint = options.subject === undefined ? ' (no --subject given, so "default" was used)' : "";
    throw new CliError("ERR_NOT_FOUND", `${what} ${where}${hint}`, EXIT_CODES.NOT_FOUND);
  }
  if (found.length > 1) {
    const types = found.map((entry) => entry.address.authType).join(", ");
    throw usageError(
      `subject "${subject}" has ${found.length} sessions (${types}) ${where}; pass --auth-type`,
      command,
    );
  }
  return found[0]!;
}

async function showCommand({ manager, options, now, out }: CommandContext): Promise<void> {
  const { address, session, readError } = await findOne(manager, options, "show");
  if (!session) throw readError;
  out(
    options.json
      ? json(sessionJson(address, session, now, options.reveal))
      : `${sessionText(address, session, now, options.reveal)}\n`,
  );
}

async function deleteCommand({ manager, options, out }: CommandContext): Promise<void> {
  const { address } = await findOne(manager, options, "delete");
  const removed = await manager.forSubject(address.subject).delete(address.authType);
  if (!removed) {
    // Gone between the read and the delete: someone else removed it.
    throw new CliError("ERR_NOT_FOUND", `session "${address.key}" was already gone`, EXIT_CODES.NOT_FOUND);
  }
  out(options.json ? json({ deleted: address }) : `Deleted session "${address.key}".\n`);
}

async function clearCommand({ manager, options, storeDisplay, out }: CommandContext): Promise<void> {
  const { subject, authType } = options;
  let removed = 0;
  if (subject === undefined && authType === undefined) {
    removed = await manager.clear();
  } else if (subject !== undefined) {
    // One subject's keys are known without listing, so this works on any store.
    const scoped = manager.forSubject(subject);
    for (const type of authType === undefined ? AUTH_TYPES : [authType]) {
      if (await scoped.delete(type)) removed += 1;
    }
  } else {
    for (const info of await manager.list()) {
      if (info.authType === authType && (await manager.forSubject(info.subject).delete(info.authType))) removed += 1;
    }
  }
  if (options.json) {
    out(
      json({
        namespace: manager.namespace,
        store: storeDisplay,
        subject: subject ?? null,
        authType: authType ?? null,
        deleted: removed,
      }),
    );
    return;
  }
  out(`Deleted ${plural(removed, "session")} from namespace "${manager.namespace}" (${storeDisplay}).\n`);
}

/** The refusal `clear` gives without `--yes`. */
export function clearNeedsConfirmation(options: CommandOptions, storeDisplay: string): CliError {
  const scope = [
    options.subject === undefined ? "" : ` of subject "${options.subject}"`,
    options.authType === undefined ? "" : ` with auth type "${options.authType}"`,
  ].join("");
  return usageError(
    `clear deletes every session${scope} in namespace "${options.namespace}" of ${storeDisplay}; ` +
      'pass --yes to confirm (run "sessionstore list" to see them first)',
    "clear",
  );
}
