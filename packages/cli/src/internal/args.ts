import { parseArgs } from "node:util";
import { type AuthType, assertNamespace, assertSubject, DEFAULT_NAMESPACE, isAuthType } from "@sessionstore/core";
import { usageError } from "./cli-error.js";
import { COMMANDS, type CommandName } from "./help.js";
import { REVOKE_ALL_OPTIONS, type RevokeAllCliOptions, revokeAllOptions } from "./revoke-all-args.js";
import { describeBadArguments, didYouMean } from "./usage-words.js";

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: "help"; readonly topic?: CommandName; readonly toStderr: boolean }
  | { readonly kind: "version" }
  | ({ readonly kind: "command"; readonly command: CommandName } & CommandOptions);

/** The options a command runs with, validated. */
export interface CommandOptions {
  readonly store: string;
  readonly namespace: string;
  /** Whether the namespace was chosen (`--namespace` or SESSIONSTORE_NAMESPACE), not the default. */
  readonly namespaceGiven: boolean;
  readonly subject?: string;
  readonly authType?: AuthType;
  readonly json: boolean;
  readonly reveal: boolean;
  readonly yes: boolean;
  readonly timeoutMs?: number;
  /** `--key-env` entries: `VAR` or `keyId=VAR`. */
  readonly keyEnv: readonly string[];
  /** `revoke-all`'s options. */
  readonly revoke?: RevokeAllCliOptions;
}

const OPTIONS = {
  store: { type: "string" },
  namespace: { type: "string" },
  subject: { type: "string" },
  "auth-type": { type: "string" },
  timeout: { type: "string" },
  "key-env": { type: "string", multiple: true },
  json: { type: "boolean" },
  reveal: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  ...REVOKE_ALL_OPTIONS,
} as const;

type OptionName = keyof typeof OPTIONS;

const COMMON: readonly OptionName[] = ["store", "namespace", "timeout", "key-env", "json", "help"];
const ALLOWED: Record<CommandName, readonly OptionName[]> = {
  list: [...COMMON, "subject", "auth-type", "reveal"],
  show: [...COMMON, "subject", "auth-type", "reveal"],
  delete: [...COMMON, "subject", "auth-type"],
  clear: [...COMMON, "subject", "auth-type", "yes"],
  "revoke-all": [...COMMON, ...(Object.keys(REVOKE_ALL_OPTIONS) as (keyof typeof REVOKE_ALL_OPTIONS)[])],
};

const MAX_TIMEOUT_MS = 600_000;

function isCommand(name: string | undefined): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name ?? "");
}

/**
 * Reads the command line. Every mistake is a usage error naming the problem
 * and the command whose help explains it.
 */
export function parseInvocation(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch {
    const command = argv.find((arg) => isCommand(arg));
    throw usageError(describeBadArguments(argv, OPTIONS), command);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;

  if (first === undefined && values.version === true && values.help !== true) return { kind: "version" };
  if (first === undefined) return { kind: "help", toStderr: values.help !== true };
  if (first === "help") {
    const [topic, ...extra] = rest;
    if (extra.length > 0) throw usageError(`help takes one command, got "${rest.join(" ")}"`);
    if (topic === undefined) return { kind: "help", toStderr: false };
    if (!isCommand(topic)) throw usageError(`no help for unknown command "${topic}"; commands: ${COMMANDS.join(", ")}`);
    return { kind: "help", topic, toStderr: false };
  }
  if (!isCommand(first)) {
    throw usageError(
      `unknown command "${first}"${didYouMean(first, [...COMMANDS, "help"])}; commands: ${COMMANDS.join(", ")}, help`,
    );
  }
  const command = first;
  if (values.help) return { kind: "help", topic: command, toStderr: false };
  if (rest.length > 0) {
    throw usageError(`unexpected argument "${rest[0]}" (options start with --; see the help)`, command);
  }
  for (const name of Object.keys(values) as OptionName[]) {
    if (!ALLOWED[command].includes(name)) throw usageError(`--${name} does not apply to ${command}`, command);
  }
  return { kind: "command", command, ...commandOptions(command, values, env) };
}

function commandOptions(
  command: CommandName,
  values: Partial<Record<OptionName, string | boolean | string[]>>,
  env: Readonly<Record<string, string | undefined>>,
): CommandOptions {
  const text = (name: OptionName): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const store = text("store") ?? nonEmpty(env.SESSIONSTORE_STORE);
  if (store === undefined) {
    throw usageError("--store is required (or set SESSIONSTORE_STORE), e.g. --store sqlite:./sessions.db", command);
  }
  const chosenNamespace = text("namespace") ?? nonEmpty(env.SESSIONSTORE_NAMESPACE);
  const namespace = chosenNamespace ?? DEFAULT_NAMESPACE;
  try {
    assertNamespace(namespace);
  } catch (error) {
    throw usageError(`--namespace "${namespace}": ${(error as Error).message}`, command);
  }
  const subject = text("subject");
  if (subject !== undefined) {
    try {
      assertSubject(subject);
    } catch (error) {
      throw usageError(`--subject: ${(error as Error).message}`, command);
    }
  }
  const authType = text("auth-type");
  if (authType !== undefined && !isAuthType(authType)) {
    throw usageError(`--auth-type must be one of server, client, password, app; got "${authType}"`, command);
  }
  const timeoutText = text("timeout");
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
    if (!(timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS)) {
      throw usageError(
        `--timeout must be a whole number of milliseconds, 1 to ${MAX_TIMEOUT_MS}; got "${timeoutText}"`,
        command,
      );
    }
  }
  return {
    store,
    namespace,
    namespaceGiven: chosenNamespace !== undefined,
    ...(subject === undefined ? {} : { subject }),
    ...(authType === undefined ? {} : { authType }),
    json: values.json === true,
    reveal: values.reveal === true,
    yes: values.yes === true,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    keyEnv: Array.isArray(values["key-env"]) ? values["key-env"] : [],
    ...(command === "revoke-all" ? { revoke: revokeAllOptions(text, env) } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
