import { inspect } from "node:util";
import {
  createMemoryStore,
  createSessionManager,
  isSessionStoreError,
  redactTokens,
  SessionStoreError,
  toStoreError,
} from "@sessionstore/core";
import { describe, expect, it } from "vitest";

describe("errors", () => {
  it("carries a code, a field and a chained cause; JSON shows only the safe parts", () => {
    const cause = new Error("socket hang up");
    const error = new SessionStoreError("ERR_STORE_UNAVAILABLE", "store get failed", { cause, field: "key" });
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "SessionStoreError",
      code: "ERR_STORE_UNAVAILABLE",
      field: "key",
      message: "store get failed",
    });
  });

  it("is recognised by code across copies of the class", () => {
    const lookalike = Object.assign(new Error("x"), { name: "SessionStoreError", code: "ERR_DECRYPT" });
    expect(isSessionStoreError(lookalike, "ERR_DECRYPT")).toBe(true);
    expect(isSessionStoreError(new Error("x"))).toBe(false);
  });

  it("keeps our own errors as they are and wraps the rest as ERR_STORE_UNAVAILABLE", () => {
    const corrupt = new SessionStoreError("ERR_CORRUPT_RECORD", "bad");
    expect(toStoreError(corrupt, "get")).toBe(corrupt);
    expect(toStoreError(new Error("ECONNREFUSED"), "get").code).toBe("ERR_STORE_UNAVAILABLE");
  });

  it("masks token-looking assignments a backend echoes in its message", () => {
    expect(redactTokens('failed to write {"refresh_token":"abc.def"}')).not.toContain("abc.def");
    expect(redactTokens("Authorization: Bearer xyz123")).not.toContain("xyz123");
    expect(toStoreError(new Error("bad access_token=abc123"), "set").message).not.toContain("abc123");
  });

  it("no token value reaches messages, JSON or util.inspect on any manager error path", async () => {
    const secret = "tok-5ecret-value";
    const manager = createSessionManager(createMemoryStore());
    const failures: unknown[] = [];
    for (const input of [
      { accessToken: secret, expiresIn: -1 },
      { accessToken: secret, refreshToken: 5 },
      { accessToken: secret, extra: () => secret },
      { refreshToken: secret },
    ]) {
      await manager.set(input, "password").catch((error: unknown) => failures.push(error));
    }
    await manager.set({ accessToken: secret }, "bogus" as "app").catch((error: unknown) => failures.push(error));
    expect(failures).toHaveLength(5);
    for (const failure of failures) {
      expect((failure as Error).message).not.toContain(secret);
      expect(JSON.stringify(failure)).not.toContain(secret);
      expect(inspect(failure, { depth: 5 })).not.toContain(secret);
    }
  });
});
