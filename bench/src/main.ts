import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileSpec, keyvPostgresSpec, redisSpec, sqliteSpec } from "./cases/backends.js";
import { benchClient } from "./cases/client.js";
import { benchColdStart } from "./cases/cold-start.js";
import { benchPeers } from "./cases/peers.js";
import { benchScale } from "./cases/scale.js";
import { benchBackend, memorySpec } from "./cases/stores.js";
import { benchStorms } from "./cases/storm.js";
import { benchTelemetry } from "./cases/telemetry.js";
import { compareResults } from "./compare.js";
import { type Budget, FULL_BUDGET, onlyRows, QUICK_BUDGET } from "./harness.js";
import { printRow, writeReport } from "./report.js";
import type { Section } from "./report-types.js";
import { readResults, toResults, writeResults } from "./results-json.js";

interface Family {
  readonly title: string;
  /** The family asserts token-call counts: if it crashes, that counts as a wrong count. */
  readonly asserts?: boolean;
  run(budget: Budget): Promise<Section>;
}

const FAMILIES: readonly Family[] = [
  { title: "memory store", run: (budget) => benchBackend(memorySpec, budget) },
  { title: "file store", run: (budget) => benchBackend(fileSpec, budget) },
  { title: "sqlite store", run: (budget) => benchBackend(sqliteSpec, budget) },
  { title: "redis store", run: (budget) => benchBackend(redisSpec, budget) },
  { title: "keyv-postgres store", run: (budget) => benchBackend(keyvPostgresSpec, budget) },
  { title: "keyv peers", run: benchPeers },
  { title: "scale", run: benchScale },
  { title: "client", run: benchClient },
  { title: "telemetry", run: benchTelemetry },
  { title: "refresh storms", asserts: true, run: benchStorms },
  { title: "cold start", asserts: true, run: benchColdStart },
];

function printSection(section: Section): void {
  for (const row of section.rows ?? []) printRow(row);
  for (const storm of section.storms ?? []) {
    console.log(
      `  ${storm.name}: ${storm.tokenCalls} token call(s) (${storm.reference ? "reference" : `expected ${storm.expectedTokenCalls}`}), ` +
        `${storm.failures} failed, drained in ${storm.drainMs.toFixed(0)} ms${storm.error ? ` ERROR ${storm.error}` : ""}`,
    );
  }
  for (const run of section.coldStart ?? []) {
    console.log(
      `  cold start run ${run.run}: ${run.tokenCalls} token call(s), first authenticated answer after ` +
        `${run.scriptMs.toFixed(1)} ms in the script (${run.processMs.toFixed(0)} ms from spawn)`,
    );
  }
  for (const point of section.scale ?? []) {
    const value = point.error
      ? `ERROR ${point.error}`
      : `median ${point.median.toFixed(3)} ms, max ${point.max.toFixed(3)} ms`;
    console.log(`  ${point.store} ${point.op} @ ${point.sessions} sessions: ${value} (${point.samples} samples)`);
  }
  for (const target of section.targets ?? []) console.log(`  [${target.status}] ${target.line}: ${target.measured}`);
}

/** The value after `--name` (or in `--name=value`). */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at !== -1) return process.argv[at + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** `bench/results/<date>T<hhmm>.json` for a full run; a quick or partial run writes to the temp dir. */
function resultsPath(quick: boolean, partial: boolean, startedAt: Date): string {
  const stamp = startedAt.toISOString().slice(0, 16).replace(":", "");
  if (quick || partial) return join(tmpdir(), `sessionstore-bench-${quick ? "quick" : "partial"}-${stamp}.json`);
  return fileURLToPath(new URL(`../results/${stamp}.json`, import.meta.url));
}

async function main(): Promise<number> {
  const compareWith = option("compare");
  const against = option("against");
  // `--compare old.json --against new.json`: no run, only the comparison.
  if (compareWith && against) {
    console.log(compareResults(readResults(compareWith), readResults(against)));
    return 0;
  }
  // Read first: a wrong path must fail before minutes of measuring.
  const before = compareWith ? readResults(compareWith) : undefined;
  const quick = process.argv.includes("--quick");
  const budget = quick ? QUICK_BUDGET : FULL_BUDGET;
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  const row = option("row");
  onlyRows(row === undefined ? undefined : new RegExp(row));
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  console.log(`load average at start: ${loadAverageAtStart.map((value) => value.toFixed(2)).join(", ")}`);
  const sections: Section[] = [];
  for (const family of FAMILIES) {
    if (only && !family.title.includes(only)) continue;
    console.log(`\n${family.title}`);
    try {
      const section = await family.run(budget);
      printSection(section);
      sections.push(section);
    } catch (error) {
      // A family that crashes is reported, not hidden: its targets show as ERROR.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(`  ERROR ${message}`);
      const summary = message.split("\n")[0] ?? message;
      sections.push({
        notes: [`${family.title}: crashed: ${summary}`],
        ...(family.asserts
          ? {
              targets: [{ line: `${family.title} ran to the end`, measured: summary, status: "ERROR", asserted: true }],
            }
          : {}),
      });
    }
  }
  // The committed report comes from a full run; a quick or partial run must not overwrite it.
  const partial = only !== undefined || row !== undefined;
  const path =
    quick || partial
      ? join(tmpdir(), "sessionstore-benchmarks-quick.md")
      : fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
  const report = {
    mode: quick ? ("quick" as const) : ("full" as const),
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    loadAverageAtStart,
    sections,
  };
  writeReport(report, path);
  console.log(`\nreport written to ${path}`);
  const results = toResults(report);
  const jsonPath = resultsPath(quick, partial, startedAt);
  writeResults(results, jsonPath);
  console.log(`results written to ${jsonPath}`);
  if (before) console.log(`\n${compareResults(before, results)}`);

  const targets = sections.flatMap((section) => section.targets ?? []);
  const wrongCounts = targets.filter((target) => target.asserted && target.status !== "PASS");
  const missedSpeed = targets.filter((target) => !target.asserted && target.status !== "PASS");
  if (missedSpeed.length > 0) console.log(`${missedSpeed.length} speed target(s) missed (reported, not asserted)`);
  if (wrongCounts.length > 0) {
    console.error(`token-call counts wrong: ${wrongCounts.map((target) => target.line).join("; ")}`);
    return 1;
  }
  return 0;
}

// Exit explicitly: a backend client left open by a crashed case must not hang CI.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
