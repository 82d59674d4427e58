import type { Row } from "./harness.js";

/** PASS/FAIL of one line of the targets. */
export interface TargetResult {
  /** The target as the issue words it, made concrete. */
  readonly line: string;
  /** What was measured, human readable. */
  readonly measured: string;
  readonly status: "PASS" | "FAIL" | "ERROR";
  /** A token-call count (asserted, even in `--quick`), not a speed goal (reported only). */
  readonly asserted: boolean;
}

/** One refresh storm. */
export interface StormResult {
  readonly name: string;
  readonly requests: number;
  readonly tokenCalls: number;
  readonly expectedTokenCalls: number;
  readonly failures: number;
  /** From the moment the requests were released until the last one answered, ms. */
  readonly drainMs: number;
  /** A reference storm (what a naive client does): its count is reported, never asserted. */
  readonly reference?: boolean;
  /** Refresh-token reuse the platform detected (each one revokes the whole token family). */
  readonly reuseDetected?: number;
  readonly loadAtStart?: number;
  readonly error?: string;
}

/** How one operation's cost grows with the number of sessions a store holds. */
export interface ScaleResult {
  readonly store: string;
  readonly sessions: number;
  /** e.g. "set", "get", "list (one array)", "iterate: first page", "iterate: all pages". */
  readonly op: string;
  readonly median: number;
  readonly max: number;
  readonly samples: number;
  readonly loadAtStart: number;
  readonly error?: string;
}

/** One run of the cold-start script. */
export interface ColdStartRun {
  readonly run: number;
  readonly tokenCalls: number;
  /** Inside the script: from its first line to the first authenticated API answer, ms. */
  readonly scriptMs: number;
  /** From spawning the process to that answer, ms (includes Node and tsx start-up). */
  readonly processMs: number;
}

/** What one family of cases contributes to the report. */
export interface Section {
  rows?: Row[];
  targets?: TargetResult[];
  storms?: StormResult[];
  coldStart?: ColdStartRun[];
  scale?: ScaleResult[];
  /** What limits a case, how it was measured: plain sentences for the report. */
  notes?: string[];
}

/**
 * Ratio target: `ratio >= min` (throughput) or `ratio <= max` (latency), judged
 * on the pooled ratio. `rounds`, the middle half of the ratio taken round by
 * round, is printed beside it: a result whose rounds straddle the bound is
 * within this machine's noise.
 */
export function ratioTarget(
  line: string,
  ratio: number | undefined,
  bound: { min?: number; max?: number },
  rounds?: { readonly low: number; readonly high: number },
): TargetResult {
  if (ratio === undefined || !Number.isFinite(ratio)) {
    return { line, measured: "not measured", status: "ERROR", asserted: false };
  }
  const pass = (bound.min === undefined || ratio >= bound.min) && (bound.max === undefined || ratio <= bound.max);
  const spread = rounds ? ` (rounds ${rounds.low.toFixed(2)}–${rounds.high.toFixed(2)})` : "";
  return { line, measured: `${ratio.toFixed(2)}×${spread}`, status: pass ? "PASS" : "FAIL", asserted: false };
}

/** Token-call target: the count must be exactly `expected`. */
export function countTarget(line: string, count: number | undefined, expected: number): TargetResult {
  if (count === undefined) return { line, measured: "did not complete", status: "ERROR", asserted: true };
  return { line, measured: `${count} token call(s)`, status: count === expected ? "PASS" : "FAIL", asserted: true };
}
