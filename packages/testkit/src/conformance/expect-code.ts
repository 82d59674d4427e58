import type { SessionStoreErrorCode } from "@sessionstore/core";
import { expect } from "vitest";

/** Runs a store call as a Promise: adapters may return values or throw synchronously (`Awaitable`). */
export function call<T>(run: () => T | PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(run()));
}

/** Asserts that `run` rejects with a SessionStoreError of `code` (checked by code, never `instanceof`). */
export async function expectCode(run: () => unknown, code: SessionStoreErrorCode): Promise<void> {
  await expect(call(run)).rejects.toMatchObject({ name: "SessionStoreError", code });
}
