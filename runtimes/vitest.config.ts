import { defineConfig } from "vitest/config";

// Its own config, outside the root projects: `pnpm test` (and the Node 22/24
// re-runs) stay as they are; `pnpm test:runtimes` runs this matrix once.
// The runtimes load the built packages (dist), as users' apps do.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each file spawns runtimes that are heavy on a shared machine: one file at a time.
    fileParallelism: false,
  },
});
