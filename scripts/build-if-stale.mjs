#!/usr/bin/env node
// Builds only the packages whose sources changed since their last build (and
// the packages that depend on them), so `pnpm demo` and `pnpm test` do not
// rebuild everything on every run. A package is fresh when the hash of what its
// build reads (src/, package.json, tsup and tsconfig files, the shared base
// configs) equals the hash recorded after its last successful build and its
// dist/ is there. `--force` rebuilds everything; `--check` only reports.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamps = join(root, "node_modules", ".cache", "sessionstore-build");
const shared = ["tsup.base.ts", "tsconfig.base.json", "pnpm-lock.yaml"].map((name) => join(root, name));
const force = process.argv.includes("--force");
const checkOnly = process.argv.includes("--check");

/** Every file under `dir`, sorted, so the hash does not depend on directory order. */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

function hashOf(dir) {
  const hash = createHash("sha256");
  const inputs = [
    ...filesUnder(join(dir, "src")),
    ...readdirSync(dir)
      .filter((name) => /^(package\.json|tsup\.config\.[cm]?[jt]s|tsconfig(\.[\w-]+)?\.json)$/.test(name))
      .sort()
      .map((name) => join(dir, name)),
    ...shared,
  ];
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash.update(file.slice(root.length)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

const packages = readdirSync(join(root, "packages"))
  .map((name) => join(root, "packages", name))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ manifest }) => typeof manifest.scripts?.build === "string")
  .map(({ dir, manifest }) => ({
    dir,
    name: manifest.name,
    hash: hashOf(dir),
    uses: Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies }),
  }));

const stampOf = (name) => join(stamps, `${name.replace("/", "+")}.sha256`);
const stale = packages.filter(({ dir, name, hash }) => {
  if (force || !existsSync(join(dir, "dist")) || readdirSync(join(dir, "dist")).length === 0) return true;
  try {
    return readFileSync(stampOf(name), "utf8").trim() !== hash;
  } catch {
    return true;
  }
});

if (stale.length === 0) {
  console.log(`build: all ${packages.length} packages are up to date`);
  process.exit(0);
}
console.log(
  force
    ? `build: rebuilding all ${packages.length} packages`
    : `build: ${stale.map(({ name }) => name).join(", ")} changed; rebuilding them and their dependents`,
);
if (checkOnly) process.exit(1);

// Types of a dependent come from its dependencies' dist, so dependents are rebuilt too.
const rebuild = new Set(stale.map(({ name }) => name));
for (let grew = true; grew; ) {
  grew = false;
  for (const { name, uses } of packages) {
    if (!rebuild.has(name) && uses.some((used) => rebuild.has(used))) {
      rebuild.add(name);
      grew = true;
    }
  }
}
const filters = [...rebuild].flatMap((name) => ["--filter", name]);
const result = spawnSync("pnpm", ["-r", ...filters, "build"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

// Recorded only after a successful build, with the hashes taken before it started: a file
// edited during the build makes the next run build again.
mkdirSync(stamps, { recursive: true });
for (const { name, hash } of packages) if (rebuild.has(name)) writeFileSync(stampOf(name), `${hash}\n`);
