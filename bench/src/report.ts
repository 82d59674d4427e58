import { writeFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { DECISIONS } from "./decisions.js";
import type { Row } from "./harness.js";
import type { ColdStartRun, ScaleResult, Section, StormResult, TargetResult } from "./report-types.js";

/** Everything one run measured. */
export interface Report {
  readonly mode: "full" | "quick";
  readonly startedAt: Date;
  readonly durationMs: number;
  /** `os.loadavg()` (1, 5, 15 min) when the run started. */
  readonly loadAverageAtStart: readonly number[];
  readonly sections: readonly Section[];
}

function time(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function rate(opsPerSec: number): string {
  return Number.isFinite(opsPerSec) ? Math.round(opsPerSec).toLocaleString("en-US") : "-";
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "" : `${value.toFixed(2)}×`;
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}

/** The machine and Node version the numbers came from: they only mean something beside them. */
export function machineInfo(): { machine: string; node: string } {
  const list = cpus();
  return {
    machine: `${list[0]?.model.trim() ?? "unknown CPU"}, ${list.length} core(s), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${type()} ${release()}`,
    node: process.version,
  };
}

function load(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(1);
}

function rowsTable(rows: readonly Row[]): string {
  return table(
    [
      "group",
      "case",
      "iteration",
      "median",
      "p99",
      "ops/s",
      "ops/s vs baseline",
      "median vs baseline",
      "load at start",
    ],
    rows.map((row) =>
      row.error
        ? [row.group, row.name, "-", "ERROR", row.error.slice(0, 120), "-", "", "", load(row.loadAtStart)]
        : [
            row.group,
            row.baseline ? row.name : `${row.name} (baseline)`,
            row.iteration,
            time(row.stats.median),
            time(row.stats.p99),
            rate(row.stats.opsPerSec),
            ratio(row.throughputRatio),
            ratio(row.medianRatio),
            load(row.loadAtStart),
          ],
    ),
  );
}

function targetsTable(targets: readonly TargetResult[]): string {
  return table(
    ["target", "measured", "result"],
    targets.map((target) => [
      target.line,
      target.measured,
      target.asserted ? `${target.status} (asserted)` : target.status,
    ]),
  );
}

function stormsTable(storms: readonly StormResult[]): string {
  return table(
    [
      "storm",
      "requests",
      "token calls",
      "expected",
      "failed requests",
      "refresh-token reuse detected",
      "time to drain",
      "load at start",
    ],
    storms.map((storm) => [
      storm.error ? `${storm.name} (${storm.reference ? "" : "ERROR: "}${storm.error.slice(0, 100)})` : storm.name,
      String(storm.requests),
      String(storm.tokenCalls),
      storm.reference ? "reference, not asserted" : String(storm.expectedTokenCalls),
      String(storm.failures),
      storm.reuseDetected === undefined ? "-" : String(storm.reuseDetected),
      time(storm.drainMs),
      load(storm.loadAtStart),
    ]),
  );
}

function coldTable(runs: readonly ColdStartRun[]): string {
  return table(
    ["run", "token calls", "script start → first authenticated answer", "process spawn → first authenticated answer"],
    runs.map((run) => [
      run.run === 1 ? "1 (authenticates)" : `${run.run} (cached)`,
      String(run.tokenCalls),
      time(run.scriptMs),
      time(run.processMs),
    ]),
  );
}

function scaleTable(points: readonly ScaleResult[]): string {
  return table(
    ["store", "sessions held", "operation", "median", "max", "samples", "load at start"],
    points.map((point) =>
      point.error
        ? [
            point.store,
            point.sessions.toLocaleString("en-US"),
            point.op,
            "ERROR",
            point.error.slice(0, 120),
            "-",
            load(point.loadAtStart),
          ]
        : [
            point.store,
            point.sessions.toLocaleString("en-US"),
            point.op,
            time(point.median),
            time(point.max),
            String(point.samples),
            load(point.loadAtStart),
          ],
    ),
  );
}

/** Markdown for docs/benchmarks.md. */
export function renderMarkdown(report: Report): string {
  const all = <K extends keyof Section>(key: K) =>
    report.sections.flatMap((section) => (section[key] ?? []) as NonNullable<Section[K]>[number][]);
  const rows = all("rows") as Row[];
  const targets = all("targets") as TargetResult[];
  const storms = all("storms") as StormResult[];
  const cold = all("coldStart") as ColdStartRun[];
  const notes = all("notes") as string[];
  const scale = all("scale") as ScaleResult[];
  const { machine, node } = machineInfo();
  const parts = [
    "# Benchmarks",
    "",
    `Written by \`pnpm bench${report.mode === "quick" ? " --quick" : ""}\`. Each store and the client are measured beside a raw baseline in the same run,`,
    "rounds alternating between the two, so the ratios hold on a noisy shared machine even when absolute times drift.",
    "",
    `- Machine: ${machine}`,
    `- Node: ${node}`,
    `- Load average at start (1, 5, 15 min): ${report.loadAverageAtStart.map((value) => value.toFixed(2)).join(", ")}; every row below ran on this machine and Node, its own load at start in its last column`,
    `- Date: ${report.startedAt.toISOString()}`,
    `- Mode: ${report.mode}${report.mode === "quick" ? " (few iterations: the numbers are only a smoke test)" : ""}, run took ${time(report.durationMs)}`,
    "",
    "## Targets",
    "",
    targetsTable(targets),
    "",
    "Speed targets are reported, never asserted; token-call counts are asserted (the run exits non-zero when one is wrong).",
    "A throughput ratio is judged on all rounds pooled (total operations ÷ total time of each side); `rounds a–b` is the middle half of the same ratio taken round by round.",
    "A target whose rounds straddle its bound is within this machine's noise: a rerun can flip it.",
    "",
    "## Stores and client beside their raw baselines",
    "",
    "Median and p99 are per iteration (see the iteration column); ops/s counts single operations.",
    "",
    rowsTable(rows.filter((row) => !row.group.startsWith("peer"))),
    "",
  ];
  const peers = rows.filter((row) => row.group.startsWith("peer"));
  if (peers.length > 0)
    parts.push(
      "## Beside plain keyv: what a user would write instead",
      "",
      "The baseline is `new Keyv({ store: <adapter> })` on the same backend doing get/set of the same record; the " +
        "subject is a SessionManager over our store for that backend (validation, expiry, redaction included). Goal: ≥ 1.0× keyv.",
      "",
      rowsTable(peers),
      "",
    );
  if (storms.length > 0) parts.push("## Refresh storms", "", stormsTable(storms), "");
  if (scale.length > 0)
    parts.push(
      "## Scale: cost by number of sessions held",
      "",
      "Each store is filled to the size shown (through the store, keys of the SessionManager's shape), then one " +
        "session is written and read through a SessionManager, and all of them listed.",
      "",
      scaleTable(scale),
      "",
    );
  if (cold.length > 0) parts.push("## Cold start (SQLite store)", "", coldTable(cold), "");
  parts.push(
    "## Goals decided against, and why",
    "",
    ...DECISIONS.map((decision) => `- **Asked:** ${decision.asked}. **Decided:** ${decision.decided}`),
    "",
  );
  if (notes.length > 0)
    parts.push("## Notes: how it was measured and what limits it", "", ...notes.map((note) => `- ${note}`), "");
  return parts.join("\n");
}

/** Writes the report and prints a short summary; returns the markdown. */
export function writeReport(report: Report, path: string): string {
  const markdown = renderMarkdown(report);
  writeFileSync(path, markdown);
  return markdown;
}

/** The console line for a finished row, printed as the run goes. */
export function printRow(row: Row): void {
  if (row.error) {
    console.log(`  ${row.name}: ERROR ${row.error}`);
    return;
  }
  const vs = row.baseline
    ? `  ${ratio(row.throughputRatio)} ops/s, ${ratio(row.medianRatio)} median vs ${row.baseline}`
    : "";
  console.log(
    `  ${row.name.padEnd(40)} median ${time(row.stats.median).padStart(10)}  p99 ${time(row.stats.p99).padStart(10)}  ${rate(row.stats.opsPerSec).padStart(10)} ops/s${vs}`,
  );
}
