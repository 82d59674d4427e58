import { inspect } from "node:util";
import {
  createMemoryStore,
  decodeSession,
  generateEncryptionKey,
  type JsonObject,
  maskSecrets,
  redactTokens,
  SessionStoreError,
  toStoreError,
  withEncryption,
} from "@sessionstore/core";
import { parseRecord } from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

const TOKEN = 'rt,echo;Canary}77f1"\\/é';

describe("redactTokens (the fallback for text no exact secret is known for)", () => {
  it("masks a quoted value up to its closing quote, `, ; }` inside it included", () => {
    const text = `failed {"refresh_token":"abc,echo;Canary}77f1","x":1}`;
    expect(redactTokens(text)).toBe('failed {"refresh_token":"[redacted]","x":1}');
  });

  it("masks an unquoted value up to the next space or &", () => {
    expect(redactTokens("refresh_token=abc,echo;Canary}77f1&next=1 tail")).toBe("refresh_token=[redacted]&next=1 tail");
  });

  it("masks a value inside escaped JSON at its own escaping level", () => {
    const inner = JSON.stringify({ accessToken: 'a\\"b,c}d' });
    const text = `ERR ${JSON.stringify(["SET", "k", inner])}`;
    const masked = redactTokens(text);
    expect(masked).not.toContain("b,c}d");
    expect(masked).toContain("[redacted]");
  });

  it("masks Bearer credentials and leaves ordinary words alone", () => {
    expect(redactTokens("Authorization: Bearer xyz123")).toBe("Authorization: Bearer [redacted]");
    expect(redactTokens("accessToken must be a non-empty string")).toBe("accessToken must be a non-empty string");
  });
});

describe("maskSecrets / toStoreError (exact secrets, every spelling, every place)", () => {
  const record = { v: 1, auth: { accessToken: TOKEN, tokenType: "bearer" }, updatedAt: 1 } as unknown as JsonObject;
  const recordText = JSON.stringify(record);
  const core = "Canary}77f1";

  function expectMasked(value: unknown): void {
    const texts = [inspect(value, { depth: 12, showHidden: true }), JSON.stringify(value) ?? "", String(value)];
    for (const text of texts) expect(text).not.toContain(core);
  }

  it("masks a driver echo of the command (escaped quotes), sql/detail and PHP `\\/` in message and cause", () => {
    const echo = Object.assign(new Error(`ERR ${JSON.stringify(["SET", "k", recordText])}`), {
      sql: `INSERT ... '${recordText}'`,
      detail: `Failing row contains (${JSON.stringify(recordText).replace(/\//g, "\\/")})`,
    });
    const error = toStoreError(echo, "set", record);
    expect(error.code).toBe("ERR_STORE_UNAVAILABLE");
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as { sql?: string }).sql).toContain("[redacted]");
    expectMasked(error);
  });

  it("masks inside an AggregateError's errors, a non-Error rejection and a cause chain", () => {
    const aggregate = new AggregateError([new Error(recordText), { args: ["SET", recordText] }], "all failed");
    const chained = new Error("outer", {
      cause: new Error("inner", { cause: `payload ${encodeURIComponent(TOKEN)}` }),
    });
    for (const failure of [aggregate, { command: "SET", value: recordText }, chained, `plain ${btoa("x")} ${TOKEN}`]) {
      const error = toStoreError(failure, "set", record);
      expectMasked(error);
    }
    expect(toStoreError(aggregate, "set", record).cause).toBeInstanceOf(AggregateError);
  });

  it("masks one of our own errors when it carries a secret, and returns it untouched otherwise", () => {
    const ours = new SessionStoreError("ERR_STORE_UNAVAILABLE", "store set failed", { cause: new Error(recordText) });
    const masked = toStoreError(ours, "set", record);
    expect(masked).not.toBe(ours);
    expect(masked).toBeInstanceOf(SessionStoreError);
    expectMasked(masked);
    const clean = new SessionStoreError("ERR_CORRUPT_RECORD", 'record at key "k" is not valid JSON');
    expect(toStoreError(clean, "get", record)).toBe(clean);
  });

  it("a masked copy of a class with prototype getters (DOMException) stays readable", () => {
    const quota = new DOMException("quota exceeded", "QuotaExceededError");
    Object.defineProperty(quota, "stack", {
      value: `QuotaExceededError: ${TOKEN}`,
      configurable: true,
      writable: true,
    });
    const error = toStoreError(quota, "set", [TOKEN]);
    expect(error.cause).toBeInstanceOf(DOMException);
    expect((error.cause as DOMException).name).toBe("QuotaExceededError");
    expect((error.cause as DOMException).message).toBe("quota exceeded");
    expectMasked(error);
  });

  it("masks URL-encoded (%20 and +), base64 and doubly escaped spellings", () => {
    const secret = "pass word/é+1";
    const text = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, "+"),
      new URLSearchParams({ s: secret }).toString(),
      btoa(String.fromCharCode(...new TextEncoder().encode(secret))),
      JSON.stringify(JSON.stringify(secret)),
    ].join(" | ");
    const masked = maskSecrets(text, [secret]);
    expect(masked).not.toMatch(/pass|word/);
    expect(masked.match(/\[redacted\]/g)?.length).toBe(5);
  });
});

describe("corrupt records are never quoted", () => {
  it("parseRecord's error has no cause and no record text", () => {
    const text = `{"v":1,"auth":{"accessToken": ATleakQ7zW"}}`;
    let caught: unknown;
    try {
      parseRecord(text, "ns:s:password");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SessionStoreError);
    expect((caught as Error).cause).toBeUndefined();
    expect(inspect(caught, { depth: 10 })).not.toContain("ATleak");
    expect((caught as Error).message).toMatch(/is not valid JSON \(syntax error( at position \d+)?, \d+ characters\)$/);
  });

  it("decodeSession quotes no version string and refuses an updatedAt no Date can hold", () => {
    const version = { v: "\u001b[31mATleakQ7zW", auth: {}, updatedAt: 1 } as unknown as JsonObject;
    expect(() => decodeSession(version, "k")).toThrow(/unknown version \(string\)/);
    const huge = { v: 1, auth: { accessToken: "a" }, updatedAt: 1e300 } as unknown as JsonObject;
    expect(() => decodeSession(huge, "k")).toThrow(expect.objectContaining({ code: "ERR_CORRUPT_RECORD" }));
  });
});

describe("a stored key id is checked before any key lookup", () => {
  it("an id outside [A-Za-z0-9._-]{1,64} is ERR_DECRYPT with a short message, and the key function is never called", async () => {
    const inner = createMemoryStore();
    const asked: string[] = [];
    const key = generateEncryptionKey();
    const store = withEncryption(inner, {
      activeKeyId: "k1",
      keys: (id) => {
        asked.push(id);
        return key;
      },
    });
    await store.set("ns:s:password", { v: 1 });
    const stored = (await inner.get("ns:s:password")) as JsonObject;
    for (const kid of ["../../prod/db-password\n\u001b[31mx", "k".repeat(200_000), "", "a b"]) {
      asked.length = 0;
      await inner.set("ns:s:password", { ...stored, kid });
      const failure = await Promise.resolve()
        .then(() => store.get("ns:s:password"))
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "ERR_DECRYPT" });
      expect((failure as Error).message.length).toBeLessThan(120);
      expect((failure as Error).message).not.toContain("prod");
      expect(asked).toEqual([]);
    }
  });
});
