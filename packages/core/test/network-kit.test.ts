import { isSessionStoreError } from "@sessionstore/core";
import {
  bestEffortOnceClosed,
  boundedCaller,
  invalidOption,
  onceUntilFailure,
  positiveMs,
  urlOrPool,
  withDeadline,
  withoutFields,
} from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

const never = () => new Promise<never>(() => undefined);

describe("withDeadline", () => {
  it("passes a value or a failure through, and names the server when nothing answers", async () => {
    await expect(withDeadline("get", "PostgreSQL h:1/db", 1000, Promise.resolve(7))).resolves.toBe(7);
    const failure = new Error("refused");
    await expect(withDeadline("get", "PostgreSQL h:1/db", 1000, Promise.reject(failure))).rejects.toBe(failure);
    const error = await withDeadline("get", "PostgreSQL h:1/db", 5, never()).catch((e: unknown) => e);
    expect(isSessionStoreError(error) && error.code).toBe("ERR_STORE_UNAVAILABLE");
    expect((error as Error).message).toBe("store get failed: PostgreSQL h:1/db did not answer within 5 ms");
  });
});

describe("onceUntilFailure", () => {
  it("shares one start between callers, and starts again after a failure", async () => {
    let calls = 0;
    const ready = onceUntilFailure(async () => {
      calls += 1;
      if (calls === 1) throw new Error("server down");
    });
    const [first, second] = await Promise.allSettled([ready(), ready()]);
    expect([first.status, second.status, calls]).toEqual(["rejected", "rejected", 1]);
    await Promise.all([ready(), ready()]);
    await ready();
    expect(calls).toBe(2);
  });
});

describe("boundedCaller", () => {
  it("runs calls after the start, scrubs their failures and bounds a start that hangs", async () => {
    const order: string[] = [];
    const call = boundedCaller({
      server: "MySQL h:1/db",
      ms: 1000,
      start: async () => {
        order.push("start");
      },
      scrub: () => new Error("scrubbed"),
    });
    await expect(call("get", async () => order.push("get"))).resolves.toBe(2);
    expect(order).toEqual(["start", "get"]);
    await expect(call("set", () => Promise.reject(new Error("row data")))).rejects.toThrow("scrubbed");

    const hung = boundedCaller({ server: "MySQL h:1/db", ms: 5, start: never });
    await expect(hung("get", async () => 1)).rejects.toThrow("MySQL h:1/db did not answer within 5 ms");
  });
});

describe("withoutFields", () => {
  it("copies an error without the fields that echo data, keeping the listed ones", () => {
    const error = Object.assign(new Error("duplicate key"), { code: "23505", detail: "Failing row contains (tok)" });
    error.name = "DatabaseError";
    const copy = withoutFields(error, ["detail"], ["code"]) as Error & Record<string, unknown>;
    expect(copy).not.toBe(error);
    expect([copy.name, copy.message, copy.code, "detail" in copy]).toEqual([
      "DatabaseError",
      "duplicate key",
      "23505",
      false,
    ]);
    const plain = new Error("plain");
    expect(withoutFields(plain, ["detail"], ["code"])).toBe(plain);
  });
});

describe("option checks", () => {
  const isPool = (value: unknown): value is { query: () => void } =>
    typeof (value as { query?: unknown } | null)?.query === "function";

  it("takes exactly one of url and pool, naming the field", () => {
    expect(urlOrPool({ url: "x://h/db" }, isPool, "must be a pool").source).toEqual({ kind: "url", url: "x://h/db" });
    const pool = { query: () => undefined };
    expect(urlOrPool({ pool, table: "t" }, isPool, "must be a pool")).toEqual({
      source: { kind: "pool", pool },
      given: { pool, table: "t" },
    });
    expect(
      urlOrPool({ pool: { wrapped: pool } }, isPool, "p", (value) => (value as { wrapped: unknown }).wrapped).source,
    ).toEqual({ kind: "pool", pool });
    const field = (options: unknown) => {
      try {
        urlOrPool(options, isPool, "must be a pool");
      } catch (error) {
        return [(error as { code?: string }).code, (error as Error).message];
      }
      return undefined;
    };
    expect(field(null)).toEqual(["ERR_INVALID_ARGUMENT", "options must be an object with url or pool"]);
    expect(field({})).toEqual(["ERR_INVALID_ARGUMENT", "options must give url or pool"]);
    expect(field({ url: "u", pool })).toEqual(["ERR_INVALID_ARGUMENT", "options must give only one of url and pool"]);
    expect(field({ pool: {} })).toEqual(["ERR_INVALID_ARGUMENT", "pool must be a pool"]);
  });

  it("invalidOption names the field first and in `field`, and chains a cause only when given", () => {
    const plain = invalidOption("options.prefix", "must be non-empty");
    expect(plain.toJSON()).toEqual({
      name: "SessionStoreError",
      code: "ERR_INVALID_ARGUMENT",
      field: "options.prefix",
      message: "options.prefix must be non-empty",
    });
    expect("cause" in plain).toBe(false);
    const cause = new RangeError("inner");
    expect(invalidOption("options.lock", "must be a lock", cause).cause).toBe(cause);
  });

  it("accepts timer lengths only", () => {
    expect(positiveMs(undefined, "commandTimeoutMs", 5000)).toBe(5000);
    expect(positiveMs(20, "commandTimeoutMs", 5000)).toBe(20);
    for (const bad of [0, -1, Number.NaN, 2 ** 31, "5"]) {
      expect(() => positiveMs(bad, "commandTimeoutMs", 5000)).toThrow(
        "commandTimeoutMs must be a number of milliseconds",
      );
    }
  });
});

describe("bestEffortOnceClosed", () => {
  it("reports a failure while open and ignores it once closed", async () => {
    let closed = false;
    const fail = () => Promise.reject(new Error("server gone"));
    await expect(bestEffortOnceClosed(() => closed, fail)).rejects.toThrow("server gone");
    closed = true;
    await expect(bestEffortOnceClosed(() => closed, fail)).resolves.toBeUndefined();
  });
});
