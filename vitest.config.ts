import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const examples = readdirSync(new URL("./examples", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`./examples/${entry.name}/test`, import.meta.url)))
  .map((entry) => entry.name);

export default defineConfig({
  resolve: {
    // Tests run against the sources, so a change is tested without a build.
    alias: [
      { find: /^@sessionstore\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@sessionstore\/([a-z-]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2/index.ts` },
    ],
  },
  test: {
    // Most test time is spent waiting on child processes, servers and disks, not on the CPU:
    // vitest's default (cores - 1, so a single worker on 2 cores) ran the suite one file at a time.
    // SESSIONSTORE_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.SESSIONSTORE_TEST_WORKERS) || Math.max(4, availableParallelism()),
    projects: [
      ...packages.map((name) => ({ name, dir: `packages/${name}` })),
      // Examples are exercised too, so the docs never show code that does not work.
      ...examples.map((name) => ({ name: `example-${name}`, dir: `examples/${name}` })),
      // The fault-injection suite spans every package (issue: security and reliability).
      { name: "reliability", dir: "reliability" },
    ].map(({ name, dir }) => ({
      extends: true,
      test: {
        name,
        root: `${root}${dir}`,
        include: ["test/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
