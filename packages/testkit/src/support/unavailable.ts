import { inspect } from "node:util";
import { isSessionStoreError, type SessionStoreError } from "@sessionstore/core";
import { afterAll, beforeAll, expect } from "vitest";

/**
 * Runs `call`, expecting it to reject with ERR_STORE_UNAVAILABLE in less than
 * `boundMs`; returns the error (its message and fields are the test's to check).
 */
export async function expectUnavailable(call: () => Promise<unknown>, boundMs: number): Promise<SessionStoreError> {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(Date.now() - started).toBeLessThan(boundMs);
  if (!isSessionStoreError(error, "ERR_STORE_UNAVAILABLE")) {
    throw new Error(`expected ERR_STORE_UNAVAILABLE, got ${inspect(error)}`);
  }
  return error;
}

/** Everything a log could show of an error: message, JSON and a deep inspect (to look for secrets in). */
export function everythingLogged(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10 })}`;
}

/**
 * Collects the process's unhandled rejections for the suite (listening from
 * beforeAll to afterAll): a test expects the returned array to stay empty.
 */
export function collectUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const sentinel = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on("unhandledRejection", sentinel);
  });
  afterAll(() => {
    process.off("unhandledRejection", sentinel);
  });
  return unhandled;
}
