import { inspect } from "node:util";
import { isSessionStoreError, type SessionStoreError } from "@sessionstore/core";
import { afterAll, beforeAll, expect } from "vitest";
import { crashSentinel } from "../faults/crash-sentinel.js";

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
 * A {@link crashSentinel} installed for the suite (beforeAll to afterAll):
 * returns its live list of unhandled rejections and uncaught exceptions, which
 * a test expects to stay empty.
 */
export function useCrashSentinel(): unknown[] {
  const sentinel = crashSentinel();
  beforeAll(() => sentinel.install());
  afterAll(async () => {
    await sentinel.uninstall();
  });
  return sentinel.caught;
}
