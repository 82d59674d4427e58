import { createSessionManager, maskSecrets, redactTokens, type SessionStore, toStoreError } from "@sessionstore/core";
import { EXIT_CODES, type ExitCode } from "./exit-codes.js";
import { parseInvocation } from "./internal/args.js";
import { withCallTimeout } from "./internal/call-timeout.js";
import { causeMessages, classify } from "./internal/cli-error.js";
import { COMMAND_HANDLERS, clearNeedsConfirmation } from "./internal/commands.js";
import { decryptionFromEnv } from "./internal/decryption.js";
import { terminalSafe } from "./internal/format.js";
import { helpText } from "./internal/help.js";
import { joinListJson, namespacesIn } from "./internal/namespaces.js";
import { asUsageFailure, inCommandLineWords } from "./internal/user-words.js";
import { CLI_VERSION } from "./internal/version.js";
import { DEFAULT_TIMEOUT_MS, openStore, type StoreOpener } from "./open-store.js";
import { parseStoreUri } from "./store-uri.js";

/** Where the CLI writes: `process.stdout` fits, and so does a test's collector. */
export interface TextSink {
  write(text: string): unknown;
}

/** Everything {@link runCli} touches outside itself, so it can run in-process in tests. */
export interface CliIO {
  /** Results: tables, JSON, help. */
  readonly stdout: TextSink;
  /** Errors and warnings. */
  readonly stderr: TextSink;
  /** Environment (`SESSIONSTORE_STORE`, `SESSIONSTORE_NAMESPACE`). @default {} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative store paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** Clock for "expires in …", epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Opens the store a URI names; inject one to use another store. @default openStore */
  readonly openStore?: StoreOpener;
}

const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(["list", "show"]);

const REVEAL_WARNING =
  "warning: --reveal prints token values. Anyone who sees them can act as the user until they expire: " +
  "do not paste this output into tickets, chats or logs.\n";

/**
 * Runs `sessionstore <argv…>` and resolves with its exit status (see
 * `EXIT_CODES`); it never throws and never calls `process.exit`.
 * @example
 * const code = await runCli(["list", "--store", "sqlite:./sessions.db"], { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const env = io.env ?? {};
  // Every byte written passes terminalSafe: stored text never reaches a terminal as an escape sequence.
  const stdout: TextSink = { write: (text) => io.stdout.write(terminalSafe(text)) };
  const stderr: TextSink = { write: (text) => io.stderr.write(terminalSafe(text)) };
  let json = argv.includes("--json");
  let secrets: readonly string[] = [];
  let helpTopic: string | undefined;
  let storeDisplay: string | undefined;
  let timeoutInForce: number | undefined;

  const report = (thrown: unknown): ExitCode => {
    const error = asUsageFailure(thrown, storeDisplay);
    const failure = classify(error);
    const safe = (text: string) => inCommandLineWords(mask(text, secrets), timeoutInForce);
    const message = safe(failure.message);
    const causes = causeMessages(error).map(safe);
    if (json) {
      const body = {
        code: failure.code,
        message,
        ...(causes.length > 0 ? { causes } : {}),
        exitCode: failure.exitCode,
      };
      stderr.write(`${JSON.stringify({ error: body })}\n`);
    } else {
      stderr.write(`sessionstore: ${message}\n`);
      for (const cause of causes) stderr.write(`  caused by: ${cause}\n`);
      const topic =
        (error as { helpTopic?: unknown } | null | undefined)?.helpTopic ??
        (failure.exitCode === EXIT_CODES.USAGE ? helpTopic : undefined);
      if (typeof topic === "string") {
        stderr.write(`Run "sessionstore help${topic ? ` ${topic}` : ""}" for usage.\n`);
      }
    }
    return failure.exitCode;
  };

  try {
    const invocation = parseInvocation(argv, env);
    if (invocation.kind === "version") {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT_CODES.OK;
    }
    if (invocation.kind === "help") {
      (invocation.toStderr ? stderr : stdout).write(helpText(invocation.topic));
      return invocation.toStderr ? EXIT_CODES.USAGE : EXIT_CODES.OK;
    }
    const { command, ...options } = invocation;
    json = options.json;
    helpTopic = command;
    const uri = parseStoreUri(options.store, io.cwd ?? process.cwd());
    if (uri.kind === "redis") secrets = uri.secrets;
    if (uri.kind === "redis")
      for (const warning of uri.warnings ?? []) stderr.write(`sessionstore: warning: ${warning}\n`);
    if (command === "clear" && !options.yes) throw clearNeedsConfirmation(options, uri.display);

    const decryption = options.keyEnv.length > 0 ? decryptionFromEnv(options.keyEnv, env) : undefined;
    if (decryption) secrets = [...secrets, ...decryption.keys];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    storeDisplay = uri.display;
    timeoutInForce = timeoutMs;
    const opener = io.openStore ?? openStore;
    let opened: SessionStore;
    try {
      opened = await withDeadline(
        // Commands that only read open the store read-only: inspecting never changes what is inspected.
        Promise.resolve().then(() => opener(uri, { timeoutMs, readOnly: READ_ONLY_COMMANDS.has(command) })),
        timeoutMs,
        uri.display,
        // An opener that answers after the deadline still gets its store closed.
        (late) => Promise.resolve(late.close()).catch(() => undefined),
      );
    } catch (error) {
      throw toStoreError(error, `open (${uri.display})`);
    }
    const store = withCallTimeout(decryption ? decryption.wrap(opened) : opened, timeoutMs);
    try {
      if (options.reveal) stderr.write(REVEAL_WARNING);
      const now = (io.now ?? Date.now)();
      // `list` without a chosen namespace shows every namespace that holds sessions, not just the default.
      const found = command === "list" && !options.namespaceGiven ? await namespacesIn(store) : [];
      const namespaces = found.length > 0 ? found : [options.namespace];
      const jsonDocuments: Array<{ namespace: string; text: string }> = [];
      for (const [index, namespace] of namespaces.entries()) {
        const joinJson = options.json && namespaces.length > 1;
        if (index > 0 && !options.json) stdout.write("\n");
        await COMMAND_HANDLERS[command]({
          manager: createSessionManager(store, { namespace }),
          options: { ...options, namespace },
          storeDisplay: uri.display,
          now,
          err: (text) => io.stderr.write(text),
          errIsTTY: (io.stderr as { isTTY?: unknown }).isTTY === true,
          out: joinJson ? (text) => jsonDocuments.push({ namespace, text }) : (text) => stdout.write(text),
        });
      }
      if (jsonDocuments.length > 0) stdout.write(joinListJson(jsonDocuments, uri.display));
      return EXIT_CODES.OK;
    } finally {
      try {
        await store.close();
      } catch (error) {
        const message = mask(classify(error).message, secrets);
        stderr.write(
          json
            ? `${JSON.stringify({ warning: `closing the store failed: ${message}` })}\n`
            : `sessionstore: warning: closing the store failed: ${message}\n`,
        );
      }
    }
  } catch (error) {
    return report(error);
  }
}

/** Core's masking (every spelling of the keys and passwords, token-shaped text), then even the shortest secret. */
function mask(text: string, secrets: readonly string[]): string {
  let masked = maskSecrets(text, secrets, { patterns: redactTokens });
  for (const secret of secrets) if (secret.length > 0) masked = masked.split(secret).join("****");
  return masked;
}

function withDeadline<T>(
  pending: Promise<T>,
  timeoutMs: number,
  what: string,
  discard: (late: T) => unknown,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  pending.then(
    (value) => expired && discard(value),
    () => undefined,
  );
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(new Error(`opening ${what} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}
