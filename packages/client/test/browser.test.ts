import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("browser build", () => {
  it("bundles for the browser with core and no Node built-in", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      conditions: ["@sessionstore/source"],
      logLevel: "silent",
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes("packages/core/src"))).toBe(true);
    expect(inputs.filter((input) => input.startsWith("node:") || input.includes("(disabled)"))).toEqual([]);
    const code = result.outputFiles[0]?.text ?? "";
    expect(code).not.toMatch(/\bfrom\s+["']node:|require\(["']node:/);
  });
});
