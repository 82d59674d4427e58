import { createMemoryStore, createSessionManager, type SessionManager, type SessionStore } from "@sessionstore/core";
import { managerKey, recordText, sampleAuth, subjects, uniqueId } from "../fixtures.js";
import {
  type Budget,
  type Case,
  compare,
  concurrently,
  errorRow,
  type Row,
  repeated,
  sequentially,
} from "../harness.js";
import { ratioTarget, type Section, type TargetResult } from "../report-types.js";
import { type RawBackend, rawMap } from "./baselines.js";

/** How one backend is benchmarked: its store, its raw baseline, and which lines are targets. */
export interface BackendSpec {
  /** Group name in the report, e.g. "redis". */
  readonly group: string;
  /** Baseline label, e.g. "raw @redis/client". */
  readonly rawLabel: string;
  /** Opens the store (through its package) and the raw baseline; `close` releases both and cleans up. */
  open(namespace: string): Promise<{ store: SessionStore; raw: RawBackend; close(): Promise<void> }>;
  /** Caller counts to measure. @default [1] */
  readonly callers?: readonly number[];
  /** Calls per iteration for sub-microsecond backends (timer resolution). @default 1 */
  readonly batch?: number;
  /** The raw baseline is synchronous (a Map): loop it without awaiting. */
  readonly rawSync?: boolean;
  /** Operations whose store/raw throughput ratio is a target (≥ 0.8×). */
  readonly targets?: readonly { op: "get" | "set"; callers: number; line: string }[];
  readonly notes?: readonly string[];
  /** What limits the store, from profiling: reported only while one of its targets is missed. */
  readonly whenMissed?: string;
}

/** Speed goal for the adapters: at least 0.8× the raw driver's throughput. */
export const STORE_MIN_RATIO = 0.8;

function describeIteration(callers: number, batch: number): string {
  if (callers > 1) return `${callers} concurrent callers`;
  return batch > 1 ? `${batch} sequential calls` : "1 call";
}

async function seed(managers: SessionManager[], raw: RawBackend, namespace: string): Promise<object> {
  const auth = sampleAuth();
  const record = JSON.parse(recordText(auth)) as object;
  for (const manager of managers) {
    await manager.set(auth, "password");
    await raw.set(managerKey(namespace, manager.subject), record);
  }
  return record;
}

// A case that measures a miss (wrong key, nothing stored) would look fast and mean nothing.
async function assertReadable(managers: SessionManager[], raw: RawBackend, namespace: string): Promise<void> {
  const first = managers[0] as SessionManager;
  if ((await first.get("password")) === undefined) throw new Error("the store returned no session after seeding");
  if ((await raw.get(managerKey(namespace, first.subject))) === undefined) {
    throw new Error("the raw baseline returned no record after seeding");
  }
}

function pairFor(
  spec: BackendSpec,
  op: "get" | "set",
  callers: number,
  managers: SessionManager[],
  raw: RawBackend,
  namespace: string,
  record: object,
): [Case, Case] {
  const batch = callers > 1 ? 1 : (spec.batch ?? 1);
  const iteration = describeIteration(callers, batch);
  const keys = managers.map((manager) => managerKey(namespace, manager.subject));
  const auth = sampleAuth();
  // Each write carries a new `updatedAt`, as the SessionManager's do: SQLite rewrites identical bytes far faster.
  const rawCall = (index: number) =>
    op === "get"
      ? raw.get(keys[index] as string)
      : raw.set(keys[index] as string, { ...record, updatedAt: Date.now() });
  const storeCall = (index: number) => {
    const manager = managers[index] as SessionManager;
    return op === "get" ? manager.get("password") : manager.set(auth, "password");
  };
  const suffix = callers > 1 ? ` ×${callers}` : "";
  const rawFn =
    callers > 1
      ? concurrently(callers, async (index) => rawCall(index))
      : spec.rawSync
        ? repeated(batch, () => rawCall(0))
        : sequentially(batch, async () => rawCall(0));
  const storeFn = callers > 1 ? concurrently(callers, storeCall) : sequentially(batch, () => storeCall(0));
  const opsPerIteration = callers > 1 ? callers : batch;
  return [
    { name: `${spec.rawLabel} ${op}${suffix}`, fn: rawFn, opsPerIteration, iteration },
    { name: `${spec.group} store ${op}${suffix}`, fn: storeFn, opsPerIteration, iteration },
  ];
}

/** Store `get`/`set` through a SessionManager beside the backend's raw driver, in the same run. */
export async function benchBackend(spec: BackendSpec, budget: Budget): Promise<Section> {
  const rows: Row[] = [];
  const targets: TargetResult[] = [];
  const namespace = `bench-${uniqueId()}`;
  let opened: Awaited<ReturnType<BackendSpec["open"]>> | undefined;
  try {
    opened = await spec.open(namespace);
    const callerCounts = spec.callers ?? [1];
    const root = createSessionManager(opened.store, { namespace });
    const managers = subjects(Math.max(...callerCounts)).map((subject) => root.forSubject(subject));
    const record = await seed(managers, opened.raw, namespace);
    await assertReadable(managers, opened.raw, namespace);
    for (const callers of callerCounts) {
      for (const op of ["get", "set"] as const) {
        const [baseline, subject] = pairFor(spec, op, callers, managers, opened.raw, namespace, record);
        try {
          const pair = await compare(spec.group, budget, baseline, subject);
          rows.push(...pair);
          const target = spec.targets?.find((entry) => entry.op === op && entry.callers === callers);
          if (target)
            targets.push(
              ratioTarget(
                target.line,
                pair[1]?.throughputRatio,
                { min: STORE_MIN_RATIO },
                pair[1]?.throughputRatioRounds,
              ),
            );
        } catch (error) {
          rows.push(errorRow(spec.group, subject.name, error));
        }
      }
    }
  } catch (error) {
    rows.push(errorRow(spec.group, `${spec.group} store`, error));
  } finally {
    await opened?.close().catch((error: unknown) => rows.push(errorRow(spec.group, "cleanup", error)));
  }
  for (const target of spec.targets ?? []) {
    if (!targets.some((entry) => entry.line === target.line)) {
      targets.push({ line: target.line, measured: "not measured", status: "ERROR", asserted: false });
    }
  }
  const missed = targets.some((target) => target.status !== "PASS");
  return { rows, targets, notes: [...(spec.notes ?? []), ...(missed && spec.whenMissed ? [spec.whenMissed] : [])] };
}

/** The memory store beside a plain Map of JSON text (no target: it shows the SessionManager's own cost). */
export const memorySpec: BackendSpec = {
  group: "memory",
  rawLabel: "raw Map",
  batch: 100,
  rawSync: true,
  async open() {
    const store = createMemoryStore();
    const raw = rawMap();
    return {
      store,
      raw,
      close: async () => {
        await store.close();
        await raw.close();
      },
    };
  },
  notes: [
    "memory: the gap to a raw Map is the SessionManager's own cost per call (key building and validation, " +
      "record decoding and normalising, the async bridge); a Map lookup is tens of nanoseconds, so no ratio target applies.",
  ],
};
