import { maskSecrets, type SecretSource } from "./mask-secrets.js";
import { redactTokens } from "./secret-text.js";

/**
 * How `toStoreError` makes a store error safe (Node, Bun, Deno and every
 * non-browser build): the exact `secrets` in every spelling a backend is known
 * to echo, in the message, stack, `cause` chain and every own property; for a
 * foreign error also token-shaped text. The browser build uses
 * `store-error-mask.browser.ts` instead (package.json `imports`).
 */
export function maskStoreError<T>(value: T, secrets: SecretSource, foreign: boolean): T {
  return maskSecrets(value, secrets, foreign ? { patterns: redactTokens } : {});
}
