import { defineConfig, type Options } from "tsup";

/**
 * The one build config every package shares: ESM + CJS + .d.ts/.d.cts from
 * `src/index.ts`. Packages only add what is truly theirs (extra entries).
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
