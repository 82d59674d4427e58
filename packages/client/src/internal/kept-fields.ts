import type { AuthObject, JsonObject } from "@sessionstore/core";

// The snake_case spelling a token response may use for a kept camelCase field.
const SNAKE: Readonly<Record<string, string>> = { transferToken: "transfer_token" };

/**
 * A refresh answer with the fields of `previous` that it omits (`scope`,
 * Podio's `ref` and `transferToken` ...) carried over, so they survive the
 * refresh. A field the answer does carry wins.
 */
export function withKeptFields(response: JsonObject, previous: AuthObject, fields: readonly string[]): object {
  const merged: Record<string, unknown> = { ...response };
  for (const field of fields) {
    const snake = SNAKE[field];
    const answered = response[field] !== undefined || (snake !== undefined && response[snake] !== undefined);
    if (!answered && previous[field] !== undefined) merged[field] = previous[field];
  }
  return merged;
}
