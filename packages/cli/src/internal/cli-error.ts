import { isSessionStoreError } from "@sessionstore/core";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";

/** A failure the CLI reports itself: a message, a stable code and an exit status. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  /** The command whose help the user should read, for usage errors. */
  readonly helpTopic: string | undefined;

  constructor(code: string, message: string, exitCode: ExitCode, helpTopic?: string) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
    this.helpTopic = helpTopic;
  }
}

/** A bad command line (exit 1). */
export function usageError(message: string, helpTopic?: string): CliError {
  return new CliError("ERR_USAGE", message, EXIT_CODES.USAGE, helpTopic ?? "");
}

/** Exit status and code for any failure. */
export function classify(error: unknown): { exitCode: ExitCode; code: string; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (isSessionStoreError(error)) {
    const exitCode = ((): ExitCode => {
      switch (error.code) {
        case "ERR_INVALID_ARGUMENT":
          return EXIT_CODES.USAGE;
        case "ERR_CORRUPT_RECORD":
        case "ERR_DECRYPT":
          return EXIT_CODES.UNREADABLE_RECORD;
        case "ERR_STORE_UNAVAILABLE":
        case "ERR_STORE_CLOSED":
        case "ERR_LOCK_TIMEOUT":
        case "ERR_UNSUPPORTED":
          return EXIT_CODES.STORE_UNAVAILABLE;
        default:
          return EXIT_CODES.INTERNAL;
      }
    })();
    return { exitCode, code: error.code, message: error.message };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { exitCode: EXIT_CODES.INTERNAL, code: "ERR_INTERNAL", message };
}

/**
 * The messages of `error.cause`, `error.cause.cause`… (at most `depth`), skipping
 * any a message above already repeats: the reason a store gave up ("not
 * reachable within 500 ms") is often only in its cause ("ECONNREFUSED", "AUTH failed").
 */
export function causeMessages(error: unknown, depth = 3): string[] {
  const messages: string[] = [];
  let seen = error instanceof Error ? error.message : "";
  let current = error instanceof Error ? error.cause : undefined;
  while (current !== undefined && current !== null && messages.length < depth) {
    const text = current instanceof Error ? current.message : String(current);
    if (text !== "" && !seen.includes(text)) {
      messages.push(text);
      seen += `\n${text}`;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}
