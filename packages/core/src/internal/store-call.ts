import { toStoreError } from "../errors.js";
import type { SecretSource } from "./mask-secrets.js";

/**
 * Runs one store operation and reports any failure as a `SessionStoreError` naming `operation`;
 * `secrets` masks the tokens being written even where the store's own error mapping did not know them.
 */
export async function storeCall<T>(
  operation: string,
  call: () => T | PromiseLike<T>,
  secrets?: SecretSource,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStoreError(error, operation, secrets);
  }
}
