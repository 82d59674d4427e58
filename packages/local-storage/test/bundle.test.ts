/**
 * What a browser app ships: an esbuild browser-platform build of core +
 * local-storage. It must contain no Node built-in (no `node:buffer`, no `fs`),
 * and the minimal entry must stay within the size budget.
 */
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const PACKAGES = fileURLToPath(new URL("../../", import.meta.url));
/**
 * 5,800 B was asked for and decided against (docs/benchmarks.md, "Goals
 * decided against": it would mean dropping behaviour below); this budget keeps
 * the entry from growing unnoticed (printed on every run; raise only with a reason).
 * 7534 B on 2026-11-28 (7725 B before argument and corrupt-record errors were
 * built by one helper each); 7748 B with `listPages` taking keys a page at a
 * time from a store's `listPage` (+214 B: the paging walk, the fallback to one
 * `list`, pages cut to `pageSize` from batches of another size). The browser
 * stores do not page, but a SessionManager in a browser may sit on one that
 * does (a custom store over HTTP), so the walk is not swapped out there
 * (+17 B more: a read pending beside a failed write falls back to the last
 * earlier one that succeeded). The `browser` condition of core's `imports`
 * already swaps in smaller store-error masking, the full normaliser on reads
 * and a `revokeAll` stub. Of what is left, error messages are ~890 B; the
 * Web Locks lease and hand-off ~450 B, store-error masking ~330 B, listing
 * ~470 B, read-your-writes ~180 B: behaviour every browser app relies on.
 */
const BUDGET_BYTES = 7775;

/** Fails the build on any attempt to import a Node built-in, reached or not. */
function forbidNodeBuiltins(found: string[]): Plugin {
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  return {
    name: "forbid-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, ({ path, importer }) => {
        if (path.startsWith("node:") || builtins.has(path) || builtins.has(path.split("/")[0] ?? "")) {
          found.push(`${path} (from ${importer})`);
        }
        return undefined;
      });
    },
  };
}

async function browserBundle(contents: string, extraConditions: string[] = []) {
  const builtins: string[] = [];
  const result = await build({
    stdin: { contents, resolveDir: PACKAGES, loader: "ts", sourcefile: "app.ts" },
    absWorkingDir: PACKAGES,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    metafile: true,
    conditions: ["@sessionstore/source", ...extraConditions],
    alias: {
      "@sessionstore/core": `${PACKAGES}core/src/index.ts`,
      "@sessionstore/core/adapter": `${PACKAGES}core/src/adapter/index.ts`,
      "@sessionstore/local-storage": `${PACKAGES}local-storage/src/index.ts`,
    },
    plugins: [forbidNodeBuiltins(builtins)],
    logLevel: "silent",
  });
  const output = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    builtins,
    inputs: Object.keys(result.metafile.inputs),
    minBytes: output.byteLength,
    gzipBytes: gzipSync(output, { level: 9 }).byteLength,
    text: new TextDecoder().decode(output),
  };
}

const MINIMAL = `
import { createSessionManager } from "@sessionstore/core";
import { createLocalStorageStore } from "@sessionstore/local-storage";
export const sessions = createSessionManager(createLocalStorageStore());
`;
const EVERYTHING = `
export * from "@sessionstore/core";
export * from "@sessionstore/local-storage";
`;

describe("browser bundle", () => {
  it("the whole public API of core + local-storage builds for the browser without any Node built-in", async () => {
    const bundle = await browserBundle(EVERYTHING);
    expect(bundle.builtins).toEqual([]);
    const outside = bundle.inputs.filter((input) => !/^(core|local-storage)\/src\//.test(input) && input !== "app.ts");
    expect(outside).toEqual([]);
    expect(bundle.text).not.toMatch(/\brequire\(|["']node:/);
    console.log(`core + local-storage, whole API: ${bundle.minBytes} B min, ${bundle.gzipBytes} B min+gzip`);
  });

  it(`core + local-storage for an app (createSessionManager + createLocalStorageStore) is <= ${BUDGET_BYTES} B min+gzip`, async () => {
    const bundle = await browserBundle(MINIMAL);
    expect(bundle.builtins).toEqual([]);
    // The browser condition of core's `imports` picked the browser's store-error masking.
    expect(bundle.inputs).toContain("core/src/internal/store-error-mask.browser.ts");
    expect(bundle.inputs).not.toContain("core/src/internal/store-error-mask.ts");
    expect(bundle.inputs).toContain("core/src/internal/canonical-auth.browser.ts");
    expect(bundle.inputs).toContain("core/src/internal/latest-by-key.browser.ts");
    expect(bundle.inputs).not.toContain("core/src/internal/latest-by-key.ts");
    const coreOnly = await browserBundle(`export { createSessionManager } from "@sessionstore/core";`);
    console.log(
      `core + local-storage, app entry: ${bundle.minBytes} B min, ${bundle.gzipBytes} B min+gzip ` +
        `(budget ${BUDGET_BYTES} B, ${BUDGET_BYTES - bundle.gzipBytes} B to spare); ` +
        `core alone ${coreOnly.gzipBytes} B, local-storage adds ${bundle.gzipBytes - coreOnly.gzipBytes} B`,
    );
    expect(bundle.gzipBytes).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("Cloudflare Workers (workerd condition, which also sets browser) get the full masking and read path", async () => {
    const bundle = await browserBundle(MINIMAL, ["workerd", "worker"]);
    expect(bundle.inputs).toContain("core/src/internal/store-error-mask.ts");
    expect(bundle.inputs).toContain("core/src/internal/canonical-auth.ts");
    expect(bundle.inputs).toContain("core/src/internal/latest-by-key.ts");
    expect(bundle.inputs).not.toContain("core/src/internal/store-error-mask.browser.ts");
  });

  it("the check itself catches a Node built-in", async () => {
    const bundle = await browserBundle(`import { Buffer } from "node:buffer"; export const b = Buffer;`).catch(
      () => undefined,
    );
    // esbuild refuses node:buffer for the browser platform; either way it never passes silently.
    expect(bundle === undefined || bundle.builtins.length > 0).toBe(true);
  });
});
