import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Row } from "./harness.js";
import type { Report } from "./report.js";
import { machineInfo } from "./report.js";
import type { ScaleResult, Section, StormResult, TargetResult } from "./report-types.js";

/** Format of `bench/results/<date>.json`; bumped when a field changes meaning. */
export const RESULTS_VERSION = 1;

/** Where a row ran: every row carries it, so rows of two files can be told apart. */
export interface RunContext {
  readonly machine: string;
  readonly node: string;
  /** 1-minute load average when the row's measurement started. */
  readonly loadAtStart: number | null;
}

/** One comparable line of a run: a ratio row, a scale point or a storm. */
export interface ResultRow extends RunContext {
  /** Stable identity across runs: `<kind>/<group>/<case>`. */
  readonly id: string;
  readonly kind: "ratio" | "scale" | "storm";
  /** Subject ÷ baseline throughput (ratio rows), median ms (scale rows), token calls (storms). */
  readonly value: number | null;
  readonly unit: "× baseline ops/s" | "ms" | "token calls";
  readonly medianRatio?: number | null;
  readonly medianMs?: number | null;
  readonly opsPerSec?: number | null;
  readonly baseline?: string;
  readonly error?: string;
}

/** The whole file. */
export interface ResultsFile {
  readonly version: number;
  readonly mode: Report["mode"];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: string;
  readonly node: string;
  readonly loadAverageAtStart: readonly number[];
  readonly targets: readonly TargetResult[];
  readonly rows: readonly ResultRow[];
}

const finite = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : value;

function ratioRows(rows: readonly Row[], context: Omit<RunContext, "loadAtStart">): ResultRow[] {
  return rows
    .filter((row) => row.baseline !== undefined || row.error !== undefined)
    .map((row) => ({
      ...context,
      loadAtStart: finite(row.loadAtStart),
      id: `ratio/${row.group}/${row.name}`,
      kind: "ratio",
      value: finite(row.throughputRatio),
      unit: "× baseline ops/s",
      medianRatio: finite(row.medianRatio),
      medianMs: finite(row.stats.median),
      opsPerSec: finite(row.stats.opsPerSec),
      ...(row.baseline ? { baseline: row.baseline } : {}),
      ...(row.error ? { error: row.error } : {}),
    }));
}

function scaleRows(points: readonly ScaleResult[], context: Omit<RunContext, "loadAtStart">): ResultRow[] {
  return points.map((point) => ({
    ...context,
    loadAtStart: finite(point.loadAtStart),
    id: `scale/${point.store}/${point.op} @ ${point.sessions}`,
    kind: "scale",
    value: finite(point.median),
    unit: "ms",
    ...(point.error ? { error: point.error } : {}),
  }));
}

function stormRows(storms: readonly StormResult[], context: Omit<RunContext, "loadAtStart">): ResultRow[] {
  return storms.map((storm) => ({
    ...context,
    loadAtStart: finite(storm.loadAtStart),
    id: `storm/${storm.name}`,
    kind: "storm",
    value: storm.tokenCalls < 0 ? null : storm.tokenCalls,
    unit: "token calls",
    ...(storm.error ? { error: storm.error } : {}),
  }));
}

/** The JSON form of a run. */
export function toResults(report: Report): ResultsFile {
  const { machine, node } = machineInfo();
  const context = { machine, node };
  const all = <K extends keyof Section>(key: K) =>
    report.sections.flatMap((section) => (section[key] ?? []) as NonNullable<Section[K]>[number][]);
  return {
    version: RESULTS_VERSION,
    mode: report.mode,
    startedAt: report.startedAt.toISOString(),
    durationMs: report.durationMs,
    machine,
    node,
    loadAverageAtStart: report.loadAverageAtStart,
    targets: all("targets") as TargetResult[],
    rows: [
      ...ratioRows(all("rows") as Row[], context),
      ...scaleRows(all("scale") as ScaleResult[], context),
      ...stormRows(all("storms") as StormResult[], context),
    ],
  };
}

/** Writes `results` to `path` (directories created). */
export function writeResults(results: ResultsFile, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Reads a results file written by {@link writeResults}. A relative path is taken
 * from where the user ran `pnpm bench` (pnpm's INIT_CWD; the script itself runs
 * in bench/), so the README's `--compare bench/results/<file>` works from the root.
 */
export function readResults(path: string): ResultsFile {
  const located = resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const parsed = JSON.parse(readFileSync(located, "utf8")) as Partial<ResultsFile>;
  if (parsed.version !== RESULTS_VERSION || !Array.isArray(parsed.rows)) {
    throw new Error(`${path} is not a bench results file of version ${RESULTS_VERSION}`);
  }
  return parsed as ResultsFile;
}
