import { mkdtemp } from "node:fs/promises";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The runtimes package folder: bundles are written below it so `node_modules` resolves from them. */
export const RUNTIMES_DIR = join(here, "..", "..");
const testkitSource = join(RUNTIMES_DIR, "..", "packages", "testkit", "src", "index.ts");
const miniVitest = join(RUNTIMES_DIR, "src", "harness", "mini-vitest.ts");

/**
 * The suite's source is bundled with "vitest" replaced by the mini runner; the
 * published packages stay imports, so the runtime loads their built `dist`
 * from node_modules exactly as a user's app does.
 */
const runtimeNeutralSuite: Plugin = {
  name: "runtime-neutral-suite",
  setup(builder) {
    builder.onResolve({ filter: /^vitest$/ }, () => ({ path: miniVitest }));
    builder.onResolve({ filter: /^@sessionstore\/testkit$/ }, () => ({ path: testkitSource }));
    builder.onResolve({ filter: /^@sessionstore\// }, (args) => ({ path: args.path, external: true }));
  },
};

/** Bundles `entry` (a file of `src/entries` or `src/worker`) to one ES module in a fresh folder; returns its path. */
export async function bundle(
  entry: string,
  options: { platform?: "node" | "neutral"; inline?: boolean } = {},
): Promise<string> {
  const outdir = await mkdtemp(join(RUNTIMES_DIR, ".out-"));
  const outfile = join(outdir, `${entry.replace(/\W+/g, "-")}.mjs`);
  await build({
    entryPoints: [join(RUNTIMES_DIR, "src", entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: options.platform ?? "node",
    target: "es2022",
    logLevel: "silent",
    // Inline: everything in one file, as a Worker upload must be.
    ...(options.inline
      ? {
          // What wrangler does: the Worker conditions, Node built-ins left to nodejs_compat.
          conditions: ["workerd", "worker", "browser"],
          mainFields: ["browser", "module", "main"],
          external: ["node:*", ...builtinModules],
        }
      : { plugins: [runtimeNeutralSuite] }),
  });
  return outfile;
}
