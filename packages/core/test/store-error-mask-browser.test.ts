/**
 * The browser build's store-error masking (core's package.json `imports`,
 * `browser` condition). Imported by path here: Node resolves the full masker.
 */
import { SessionStoreError, toStoreError } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { maskStoreError } from "../src/internal/store-error-mask.browser.js";

const ACCESS = 'at-"quoted"\\slash/é-0001';
const REFRESH = "rt-plain-0002";
const AUTH = { accessToken: ACCESS, refreshToken: REFRESH, tokenType: "bearer", expiresIn: 3600 };

function allText(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) parts.push(at.message, at.stack ?? "");
  return parts.join("\n");
}

describe("browser store-error masking", () => {
  it("masks each token raw and JSON-escaped in message, stack and the whole cause chain", () => {
    const inner = new Error(`backend said ${JSON.stringify({ accessToken: ACCESS })} and ${REFRESH}`);
    const outer = new TypeError(`write of ${ACCESS} failed`, { cause: inner });
    const masked = maskStoreError(outer, AUTH, true);
    const text = allText(masked);
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(JSON.stringify(ACCESS).slice(1, -1));
    expect(text).not.toContain(REFRESH);
    expect(text).toContain("[redacted]");
    expect(masked).toBeInstanceOf(TypeError);
    expect(masked.name).toBe("TypeError");
    expect(masked.cause).toBeInstanceOf(Error);
    // The original is left as it was.
    expect(outer.message).toContain(ACCESS);
  });

  it("keeps the class and code of our own errors, and masks strings", () => {
    const ours = new SessionStoreError("ERR_STORE_UNAVAILABLE", `echo ${REFRESH}`);
    const masked = maskStoreError(ours, AUTH, false);
    expect(masked).toBeInstanceOf(SessionStoreError);
    expect(masked.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(masked.message).toBe("echo [redacted]");
    expect(maskStoreError(`x ${ACCESS} y`, [ACCESS], true)).toBe("x [redacted] y");
    expect(maskStoreError(`x ${ACCESS} y`, ACCESS, true)).toBe("x [redacted] y");
  });

  it("copies a DOMException (name and message behind prototype getters) readably", () => {
    const quota = new DOMException(`value ${ACCESS} exceeded the quota`, "QuotaExceededError");
    const masked = maskStoreError(quota, AUTH, true);
    expect(masked.name).toBe("QuotaExceededError");
    expect(masked.message).toBe("value [redacted] exceeded the quota");
    expect(masked).toBeInstanceOf(DOMException);
  });

  it("returns what holds no secret as it is, and leaves non-secret fields and short values alone", () => {
    const plain = new Error("Setting the value of 'sessionstore:default:server' exceeded the quota");
    expect(maskStoreError(plain, AUTH, true)).toBe(plain);
    const wordy = new Error("bearer 3600 abc");
    expect(maskStoreError(wordy, { ...AUTH, code: "abc" }, true)).toBe(wordy);
    const cyclic: Record<string, unknown> = { accessToken: ACCESS };
    cyclic.self = cyclic;
    expect(() => maskStoreError(new Error("x"), cyclic, true)).not.toThrow();
  });

  it("on Node, toStoreError uses the full masker (base64 and URL-encoded spellings too)", () => {
    const echo = new Error(`q=${encodeURIComponent(ACCESS)} b=${btoa(REFRESH)}`);
    const text = allText(toStoreError(echo, "set", AUTH));
    expect(text).not.toContain(encodeURIComponent(ACCESS));
    expect(text).not.toContain(btoa(REFRESH));
    // …which the browser variant does not claim to cover.
    expect(allText(maskStoreError(echo, AUTH, true))).toContain(btoa(REFRESH));
  });
});
