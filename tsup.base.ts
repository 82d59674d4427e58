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
    // No maps: dist is unminified, readable JS (stack traces point at real
    // lines), and maps embedding the sources doubled every tarball.
    sourcemap: false,
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
