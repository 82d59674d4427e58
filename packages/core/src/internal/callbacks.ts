import { invalidOption } from "../adapter/option-checks.js";

/** Calls a user callback outside our try/catch so its own throw is never mistaken for a store error. */
export function invokeLater(callback: () => void): void {
  queueMicrotask(callback);
}

/** Marks a promise as handled (an ignored failure must not crash the process) and returns it unchanged. */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Type guard for optional callbacks given by JavaScript callers. */
export function assertOptionalFunction(
  value: unknown,
  field: string,
): asserts value is ((...args: never[]) => unknown) | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw invalidOption(field, "must be a function");
  }
}
