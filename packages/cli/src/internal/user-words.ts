import { EXIT_CODES } from "../exit-codes.js";
import { CliError } from "./cli-error.js";

/** Every message in `error` and its `cause` chain, outermost first (at most 5). */
function chain(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 5; current = current.cause) {
    messages.push(current.message);
  }
  return messages;
}

/**
 * Failures whose real reason is the command line, said as such: Redis answers
 * `SELECT 99` with "ERR DB index is out of range", which is a bad URI (exit 1),
 * not an unreachable store.
 */
export function asUsageFailure(error: unknown, storeDisplay: string | undefined): unknown {
  if (chain(error).some((message) => message.includes("DB index is out of range"))) {
    const db = /\/(\d+)(?:\?|$)/.exec(storeDisplay ?? "")?.[1] ?? "?";
    return new CliError(
      "ERR_USAGE",
      `Redis has no database ${db} (${storeDisplay}): use a database index the server has (0 to 15 unless its "databases" setting says more)`,
      EXIT_CODES.USAGE,
      "",
    );
  }
  return error;
}

/**
 * An adapter's message in the words of the command line: the CLI gives each
 * adapter half of `--timeout` (so the adapter's precise reason arrives before
 * the CLI's own bound), and the adapter names its own option. The user set
 * `--timeout`, so that is what the message names.
 */
export function inCommandLineWords(message: string, timeoutMs: number | undefined): string {
  if (timeoutMs === undefined) return message;
  const half = String(Math.max(1, Math.floor(timeoutMs / 2)));
  return message.replace(/within (\d+) ms(?: \((?:connectTimeoutMs|commandTimeoutMs)\))?/g, (whole, ms: string) =>
    ms === half ? `within the --timeout (${timeoutMs} ms)` : whole,
  );
}
