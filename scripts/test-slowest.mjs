#!/usr/bin/env node
// `pnpm test:slowest [vitest args...]`: runs the tests (as `pnpm test` does,
// extra arguments such as `--project file` are passed on) with a JSON report
// next to the usual output, then prints the 20 slowest tests and the 10
// slowest files as Markdown tables (the report in CONTRIBUTING.md).
// `pnpm test:slowest --from a.json [b.json ...]` only prints existing reports
// (e.g. one per project, from `vitest run --project <name> --reporter=json --outputFile=<file>`).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const fromAt = args.indexOf("--from");
const reports = fromAt >= 0 ? args.slice(fromAt + 1) : [];
if (reports.length === 0) {
  const cache = join(root, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const report = join(cache, "sessionstore-test-report.json");
  reports.push(report);
  spawnSync(
    process.execPath,
    [
      join(root, "scripts", "run-tests.mjs"),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { cwd: root, stdio: "inherit" },
  );
}

const testResults = reports.flatMap((report) => JSON.parse(readFileSync(report, "utf8")).testResults);
const tests = [];
const files = [];
for (const file of testResults) {
  const name = relative(root, file.name);
  files.push({ ms: file.endTime - file.startTime, name, count: file.assertionResults.length });
  for (const test of file.assertionResults) tests.push({ ms: test.duration ?? 0, name, title: test.title });
}
const seconds = (ms) => (ms / 1000).toFixed(1);
console.log("\n| # | s | file | test |\n|---|---|---|---|");
const slowestTests = tests.sort((a, b) => b.ms - a.ms).slice(0, 20);
for (const [index, test] of slowestTests.entries()) {
  console.log(`| ${index + 1} | ${seconds(test.ms)} | ${test.name} | ${test.title.replaceAll("|", "\\|")} |`);
}
console.log("\n| # | s | file | tests |\n|---|---|---|---|");
const slowestFiles = [...files].sort((a, b) => b.ms - a.ms).slice(0, 10);
for (const [index, file] of slowestFiles.entries()) {
  console.log(`| ${index + 1} | ${seconds(file.ms)} | ${file.name} | ${file.count} |`);
}
const total = files.reduce((sum, file) => sum + file.ms, 0);
console.log(
  `\n${tests.length} tests in ${files.length} files; ${seconds(total)} s of test-file time (files run in parallel).`,
);
