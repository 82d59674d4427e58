import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const CACHE = fileURLToPath(new URL("../../.cache/", import.meta.url));

/**
 * Bundles the `sessionstore` bin from the CLI's current sources into one .mjs
 * (as children.ts does for fixtures), so a test runs the real command line as
 * a process of its own. Removed with the other bundles under .cache by the caller.
 */
export async function bundleCli(): Promise<{ script: string; dir: string }> {
  const dir = join(CACHE, `cli-${globalThis.crypto.randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const script = join(dir, "sessionstore.mjs");
  await build({
    entryPoints: [fileURLToPath(new URL("../../../packages/cli/src/cli.ts", import.meta.url))],
    outfile: script,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@sessionstore/source"],
    external: ["sqlite3", "pg-native"],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: "silent",
  });
  return { script, dir };
}
