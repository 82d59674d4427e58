/**
 * Proves the mini runner can fail in this runtime: one passing test, one
 * failing `expect`, one failing `afterEach`, one timeout. The Node-side test
 * expects exactly that pattern, so a runner that reports everything as passed
 * is caught.
 */
import { afterEach, describe, expect, it, runRegistered } from "../harness/mini-vitest.js";
import { report } from "./env.js";

describe("self-check", async () => {
  await Promise.resolve();
  it("passes", () => {
    expect({ a: [1, { b: "c" }] }).toEqual({ a: [1, { b: "c" }] });
    expect({ n: 1, extra: true }).toMatchObject({ n: expect.any(Number) });
  });
  it("fails on a wrong value", () => {
    expect({ a: 1 }).toEqual({ a: 2 });
  });
  it("fails on a promise that resolves where it should reject", async () => {
    await expect(Promise.resolve("no")).rejects.toMatchObject({ code: "X" });
  });
  it("times out", () => new Promise(() => undefined), 200);
  describe("hooks", () => {
    afterEach(() => {
      throw new Error("afterEach broke");
    });
    it("fails in afterEach", () => undefined);
  });
});

const results = await runRegistered();
report(
  results.map(({ name, ok }) => ({ name, ok })),
  true,
);
