// The packages as an npm user meets them: packs every public package, installs
// the tarballs into scratch projects OUTSIDE the repository with npm and with
// pnpm (only the npm registry is needed), and runs ESM, CommonJS and TypeScript
// code, the CLI cases of issue 18 and the testkit beside vitest 4 and 5.
// Usage: node scripts/test-consumer.mjs   (pnpm test:consumer; needs pnpm build)
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { examples } from "./consumer/examples.mjs";
import { testkitCases } from "./consumer/testkit.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "sessionstore-consumer-"));
const failures = [];
const started = Date.now();
const log = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${text}`);

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 300_000, ...options });
  if (result.status !== 0 && !options.allowFail) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function check(label, ok, detail = "") {
  if (ok) log(`ok   ${label}`);
  else {
    log(`FAIL ${label}${detail ? `\n${detail.slice(-3000)}` : ""}`);
    failures.push(label);
  }
}

const digest = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

try {
  // 1. Pack what would be published.
  const packs = join(work, "packs");
  mkdirSync(packs);
  const tarballs = {};
  for (const name of readdirSync(join(ROOT, "packages"))) {
    const dir = join(ROOT, "packages", name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (manifest.private) continue;
    if (!existsSync(join(dir, "dist"))) throw new Error(`${manifest.name} is not built: run pnpm build first`);
    const out = sh("pnpm", ["pack", "--pack-destination", packs], { cwd: dir }).stdout.trim().split("\n").pop();
    tarballs[manifest.name] = out;
    const files = execFileSync("tar", ["tzf", out], { encoding: "utf8" }).split("\n");
    check(
      `${manifest.name}: tarball ships no src/ and no maps`,
      !files.some((f) => f.startsWith("package/src/") || f.endsWith(".map")),
    );
  }
  log(`packed ${Object.keys(tarballs).length} packages`);
  const fileSpec = (name) => `file:${tarballs[name]}`;
  const overrides = Object.fromEntries(Object.keys(tarballs).map((name) => [name, fileSpec(name)]));

  // 2. One app project per package manager. npm without @sessionstore/redis: the CLI must say what to install.
  for (const manager of ["npm", "pnpm"]) {
    const app = join(work, `app-${manager}`);
    mkdirSync(app);
    const wanted = [
      "@sessionstore/core",
      "@sessionstore/client",
      "@sessionstore/file",
      "@sessionstore/sqlite",
      "@sessionstore/cli",
      "@sessionstore/testkit",
    ];
    if (manager === "pnpm") wanted.push("@sessionstore/redis");
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({
        name: `consumer-${manager}`,
        private: true,
        dependencies: Object.fromEntries(wanted.map((name) => [name, fileSpec(name)])),
        ...(manager === "npm" ? { overrides } : { pnpm: { overrides } }),
      }),
    );
    // npm: scripts off, as with an allowScripts policy (sqlite3's own script would fetch a binary from GitHub,
    // which CI cannot reach). pnpm 10 skips sqlite3's script by default. Either way the binding is missing.
    const install =
      manager === "npm"
        ? sh("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app })
        : sh("pnpm", ["install", "--config.confirmModulesPurge=false"], {
            cwd: app,
            env: { ...process.env, CI: "true" },
          });
    log(`${manager} install done${install.stderr ? `: ${install.stderr.trim().split("\n").slice(-1)}` : ""}`);
    for (const example of examples({ manager, app, ROOT, sh, check, digest, work })) await example();
  }
  for (const testkitCase of testkitCases({ ROOT, work, sh, check, fileSpec, overrides })) await testkitCase();
} catch (error) {
  failures.push(String(error?.stack ?? error));
  console.error(error);
} finally {
  if (!process.env.KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
log(failures.length === 0 ? "test:consumer: all good" : `test:consumer: ${failures.length} failure(s)`);
process.exit(failures.length === 0 ? 0 : 1);
