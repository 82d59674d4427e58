import { invalidArgument } from "../errors.js";
import type { DebugLogger } from "../observability.js";

/** Values a debug line may carry: names, codes, numbers. Never free text from a server or a store. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

function environmentSaysDebug(): boolean {
  // Browsers and workers have no `process`; Deno may refuse env access without a permission.
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.SESSIONSTORE_DEBUG?.toLowerCase();
    return value === "1" || value === "true";
  } catch {
    return false;
  }
}

/** Writes to stderr (through `console.error`), so a program's stdout stays its own. */
const STDERR_LOGGER: DebugLogger = {
  debug(message) {
    console.error(message);
  },
};

/**
 * The logger debug lines go to: the `logger` option, else stderr when
 * `SESSIONSTORE_DEBUG=1`, else none.
 * @throws `ERR_INVALID_ARGUMENT` (field `options.logger`) when the option has no `debug` method.
 */
export function debugLoggerFrom(logger: unknown): DebugLogger | undefined {
  if (logger !== undefined) {
    if (typeof logger !== "object" || logger === null || typeof (logger as DebugLogger).debug !== "function") {
      throw invalidArgument("options.logger", "must be a console-like object with a debug(message) method");
    }
    return logger as DebugLogger;
  }
  return environmentSaysDebug() ? STDERR_LOGGER : undefined;
}

/** `sessionstore: <what> key=value ...`, skipping undefined fields. */
export function formatLine(what: string, fields: LogFields): string {
  let line = `sessionstore: ${what}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) line += ` ${key}=${typeof value === "number" ? Math.round(value * 10) / 10 : value}`;
  }
  return line;
}
