import { describe, expect, it } from "vitest";
import { assertRuntimeSupports, detectRuntime, runtimeLabel } from "../src/index.js";

describe("runtime detection", () => {
  it("tells Node from the runtimes that imitate it", () => {
    // Bun, Deno and workerd (nodejs_compat) also expose process.versions.node; their own tests run there.
    expect(detectRuntime()).toBe("node");
    expect(runtimeLabel()).toBe("Node.js");
    expect(runtimeLabel("workerd")).toBe("Cloudflare workerd");
  });

  it("assertRuntimeSupports throws ERR_STORE_UNAVAILABLE naming the runtime, what is missing and the alternative", () => {
    expect(() =>
      assertRuntimeSupports("@sessionstore/example", {
        node: { missing: "no thing here", instead: "the other store" },
      }),
    ).toThrow(
      expect.objectContaining({
        code: "ERR_STORE_UNAVAILABLE",
        message: "@sessionstore/example cannot run in Node.js: no thing here. Use the other store",
      }),
    );
    expect(() =>
      assertRuntimeSupports("@sessionstore/example", { workerd: { missing: "x", instead: "y" } }),
    ).not.toThrow();
  });
});
