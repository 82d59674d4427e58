import { toStoreError } from "../errors.js";
import type { SecretSource } from "./mask-secrets.js";

/**
 * Runs one store operation and reports any failure as a `SessionStoreError` naming `operation`;
 * `secrets` masks the tokens being written even where the store's own error mapping did not know them.
 * Not async: every read and write comes through here, and a `then` costs one promise where an
 * async function costs two and a job; a store that throws instead of rejecting is covered too.
 */
export function storeCall<T>(operation: string, call: () => T | PromiseLike<T>, secrets?: SecretSource): Promise<T> {
  const fail = (error: unknown): never => {
    throw toStoreError(error, operation, secrets);
  };
  try {
    return Promise.resolve(call()).then(undefined, fail);
  } catch (error) {
    return Promise.reject(toStoreError(error, operation, secrets));
  }
}
