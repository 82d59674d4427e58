import { loadavg } from "node:os";
import { Bench } from "tinybench";

/** How long each measurement runs. `--quick` keeps the whole run under a minute. */
export interface Budget {
  readonly quick: boolean;
  /** Rounds per pair: baseline and subject alternate, so drift on a shared machine hits both. */
  readonly rounds: number;
  /** Time per task per round, ms. */
  readonly timeMs: number;
  /** Minimum iterations per task per round. */
  readonly iterations: number;
  readonly warmupMs: number;
}

export const FULL_BUDGET: Budget = { quick: false, rounds: 16, timeMs: 200, iterations: 20, warmupMs: 200 };
export const QUICK_BUDGET: Budget = { quick: true, rounds: 2, timeMs: 40, iterations: 10, warmupMs: 20 };

/** One thing to time. An iteration may do several operations (a sequential batch or concurrent callers). */
export interface Case {
  readonly name: string;
  readonly fn: () => unknown;
  /** Operations one call of `fn` performs. @default 1 */
  readonly opsPerIteration?: number;
  /** How to read the latency columns, e.g. "1 call", "batch of 50 concurrent". @default "1 call" */
  readonly iteration?: string;
}

/** Latency per iteration (ms) and throughput per operation. */
export interface Stats {
  readonly median: number;
  readonly p99: number;
  readonly opsPerSec: number;
  readonly samples: number;
}

/** A measured case, with its baseline's numbers when it has one. */
export interface Row {
  readonly group: string;
  readonly name: string;
  readonly iteration: string;
  readonly stats: Stats;
  readonly baseline?: string;
  /** subject ops/s ÷ baseline ops/s (higher is better). */
  readonly throughputRatio?: number;
  /**
   * The middle half of that ratio taken round by round (25th and 75th
   * percentile of the rounds' ratios): how far one round's answer strays on
   * this machine, so a miss within it can be told from a real one.
   */
  readonly throughputRatioRounds?: { readonly low: number; readonly high: number };
  /** subject median ÷ baseline median (lower is better). */
  readonly medianRatio?: number;
  /** 1-minute load average when the row's measurement started (the machine is shared). */
  readonly loadAtStart?: number;
  readonly error?: string;
}

/** The 1-minute load average now: every row records it at its start. */
export function loadNow(): number {
  return loadavg()[0] ?? Number.NaN;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? lowValue;
  return lowValue + (highValue - lowValue) * (position - low);
}

/** Median and p99 of the iteration latency; throughput from the total time (a mean, as throughput is). */
export function summarize(samples: readonly number[], opsPerIteration: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    opsPerSec: total > 0 ? (opsPerIteration * sorted.length * 1000) / total : Number.POSITIVE_INFINITY,
    samples: sorted.length,
  };
}

/** What {@link measure} found for one case: the pooled statistics, and its throughput in each round. */
export interface Measured extends Stats {
  readonly roundOpsPerSec: readonly number[];
}

/**
 * Measures the cases side by side: each round runs every case once (order
 * rotating), and the samples of all rounds are pooled, so slow moments of a
 * noisy machine fall on the baseline and the subject alike.
 */
export async function measure(cases: readonly Case[], budget: Budget): Promise<Map<string, Measured>> {
  const samples = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  const rounds = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  for (let round = 0; round < budget.rounds; round += 1) {
    const bench = new Bench({
      time: budget.timeMs,
      iterations: budget.iterations,
      // Short rounds interleave finely; the JIT and connections only need warming once.
      warmup: round === 0,
      warmupTime: budget.warmupMs,
      warmupIterations: Math.min(5, budget.iterations),
      retainSamples: true,
      throws: true,
    });
    const order = cases.map((_, index) => cases[(index + round) % cases.length] as Case);
    for (const entry of order) bench.add(entry.name, entry.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state === "errored") throw result.error;
      if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
      const taken = result.latency.samples ?? [];
      samples.get(task.name)?.push(...taken);
      const opsPerIteration = cases.find((entry) => entry.name === task.name)?.opsPerIteration ?? 1;
      rounds.get(task.name)?.push(summarize(taken, opsPerIteration).opsPerSec);
    }
  }
  return new Map(
    cases.map((entry) => [
      entry.name,
      {
        ...summarize(samples.get(entry.name) ?? [], entry.opsPerIteration ?? 1),
        roundOpsPerSec: rounds.get(entry.name) ?? [],
      },
    ]),
  );
}

/** The 25th and 75th percentile of `subject ÷ baseline` taken round by round. */
function roundRatios(subject: Measured, baseline: Measured): { low: number; high: number } | undefined {
  const ratios = subject.roundOpsPerSec
    .map((ops, round) => ops / (baseline.roundOpsPerSec[round] ?? Number.NaN))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return ratios.length < 2 ? undefined : { low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) };
}

/** Only what a row reports: the per-round throughputs stay out of the results file. */
function statsOf({ roundOpsPerSec: _rounds, ...stats }: Measured): Stats {
  return stats;
}

/** Only subject rows whose name matches this are measured (with their baseline); `--row=<regex>`. */
let rowFilter: RegExp | undefined;

/** Restricts every later {@link compare} to the subject rows `filter` matches (profiling one row). */
export function onlyRows(filter: RegExp | undefined): void {
  rowFilter = filter;
}

/** Measures `subjects` beside `baseline` in the same rounds; each subject's row carries its ratios to the baseline. */
export async function compare(group: string, budget: Budget, baseline: Case, ...all: Case[]): Promise<Row[]> {
  const subjects = rowFilter ? all.filter((subject) => rowFilter?.test(subject.name)) : all;
  if (subjects.length === 0) return [];
  const loadAtStart = loadNow();
  const stats = await measure([baseline, ...subjects], budget);
  const base = stats.get(baseline.name) as Measured;
  return [
    { group, name: baseline.name, iteration: baseline.iteration ?? "1 call", stats: statsOf(base), loadAtStart },
    ...subjects.map((subject): Row => {
      const measured = stats.get(subject.name) as Measured;
      const spread = roundRatios(measured, base);
      return {
        group,
        name: subject.name,
        iteration: subject.iteration ?? "1 call",
        stats: statsOf(measured),
        baseline: baseline.name,
        throughputRatio: measured.opsPerSec / base.opsPerSec,
        ...(spread ? { throughputRatioRounds: spread } : {}),
        medianRatio: measured.median / base.median,
        loadAtStart,
      };
    }),
  ];
}

/** Runs `count` calls of `call` concurrently: one iteration of an "N callers" case. */
export function concurrently(count: number, call: (index: number) => Promise<unknown>): () => Promise<unknown[]> {
  const indexes = Array.from({ length: count }, (_, index) => index);
  return () => Promise.all(indexes.map(call));
}

/** Awaits `count` calls of `call` one after another: one iteration of a batched case (timer resolution). */
export function sequentially(count: number, call: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    for (let index = 0; index < count; index += 1) await call();
  };
}

/** `count` synchronous calls in a loop: a batched raw baseline that has nothing to await. */
export function repeated(count: number, call: () => unknown): () => void {
  return () => {
    for (let index = 0; index < count; index += 1) call();
  };
}

/** A row for a case that could not run, so the report says so instead of hiding it. */
export function errorRow(group: string, name: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return {
    group,
    name,
    iteration: "-",
    stats: { median: Number.NaN, p99: Number.NaN, opsPerSec: Number.NaN, samples: 0 },
    loadAtStart: loadNow(),
    error: message,
  };
}
