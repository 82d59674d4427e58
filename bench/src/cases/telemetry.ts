// The cost of the client's OpenTelemetry support when no SDK is registered:
// `client.request()` with a cached token in a process where
// `@opentelemetry/api` cannot be found, beside one where it is loaded. Each
// side runs in a process of its own (whether the optional peer loads is a
// per-process fact); this file is also the child's entry point.
import { type ChildProcess, fork } from "node:child_process";
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { PlatformClient } from "@sessionstore/client";
import { DEMO_AUTH, DEMO_USER } from "../demo.js";
import { type Budget, type Row, summarize } from "../harness.js";
import { startPlatformProcess } from "../platform-process.js";
import { ratioTarget, type Section } from "../report-types.js";

type Mode = "without" | "with";
type ChildMessage = { type: "ready" } | { type: "samples"; samples: number[] };
type ParentMessage = { type: "round"; timeMs: number; iterations: number } | { type: "exit" };

const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--telemetry-child";
/** Speed goal: with the API loaded and no SDK, the median is within noise of the process without it. */
export const TELEMETRY_MAX_MEDIAN_RATIO = 1.05;

const NAMES: Record<Mode, string> = {
  without: "client.request (cached token), @opentelemetry/api not installed",
  with: "client.request (cached token), @opentelemetry/api loaded, no SDK",
};

/** Makes `@opentelemetry/api` unresolvable in this process, as for a user who never installed it. */
function hideOpenTelemetryApi(): void {
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === "@opentelemetry/api" || specifier.startsWith("@opentelemetry/api/")) {
      const error = new Error("Cannot find package '@opentelemetry/api' (hidden by the benchmark)");
      error.code = "ERR_MODULE_NOT_FOUND";
      throw error;
    }
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

async function runChild(mode: Mode, apiURL: string): Promise<void> {
  const send = (message: ChildMessage) => process.send?.(message);
  if (mode === "without") hideOpenTelemetryApi();
  // Proof that the side is what its name says: the import fails, or it succeeds.
  const loaded = await import("@opentelemetry/api").then(
    () => true,
    () => false,
  );
  if (loaded !== (mode === "with")) throw new Error(`@opentelemetry/api ${loaded ? "loaded" : "missing"} in "${mode}"`);
  const client = new PlatformClient(DEMO_AUTH, { apiURL });
  await client.authenticateWithCredentials(DEMO_USER.username, DEMO_USER.password);
  for (let warm = 0; warm < 200; warm += 1) await client.request("GET", "/items/1");
  process.on("message", async (message: ParentMessage) => {
    if (message.type === "exit") process.exit(0);
    const samples: number[] = [];
    const until = performance.now() + message.timeMs;
    while (samples.length < message.iterations || performance.now() < until) {
      const started = performance.now();
      await client.request("GET", "/items/1");
      samples.push(performance.now() - started);
    }
    send({ type: "samples", samples });
  });
  send({ type: "ready" });
}

function next(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`telemetry bench child exited with ${code}`));
    child.once("exit", onExit);
    child.once("message", (message: ChildMessage) => {
      child.off("exit", onExit);
      resolve(message);
    });
  });
}

/**
 * `client.request()` with a cached token, with and without `@opentelemetry/api`
 * (no SDK either way), against one fake platform in its own process. The two
 * sides alternate in short rounds, as the harness does in one process.
 */
export async function benchTelemetry(budget: Budget): Promise<Section> {
  const platform = await startPlatformProcess();
  const children = new Map<Mode, ChildProcess>();
  try {
    for (const mode of ["without", "with"] as const) {
      const child = fork(SELF, [CHILD_FLAG, mode, platform.url], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.set(mode, child);
      const ready = await next(child);
      if (ready.type !== "ready") throw new Error(`unexpected ${ready.type} from the ${mode} child`);
    }
    const samples: Record<Mode, number[]> = { without: [], with: [] };
    for (let round = 0; round < budget.rounds; round += 1) {
      const order: Mode[] = round % 2 === 0 ? ["without", "with"] : ["with", "without"];
      for (const mode of order) {
        const child = children.get(mode) as ChildProcess;
        const reply = next(child);
        child.send({ type: "round", timeMs: budget.timeMs, iterations: budget.iterations } satisfies ParentMessage);
        const message = await reply;
        if (message.type === "samples") samples[mode].push(...message.samples);
      }
    }
    const base = summarize(samples.without, 1);
    const subject = summarize(samples.with, 1);
    const rows: Row[] = [
      { group: "telemetry", name: NAMES.without, iteration: "1 call", stats: base },
      {
        group: "telemetry",
        name: NAMES.with,
        iteration: "1 call",
        stats: subject,
        baseline: NAMES.without,
        throughputRatio: subject.opsPerSec / base.opsPerSec,
        medianRatio: subject.median / base.median,
      },
    ];
    const target = ratioTarget(
      `OpenTelemetry with no SDK costs nothing measurable: client.request median ≤ ${TELEMETRY_MAX_MEDIAN_RATIO}× without the API`,
      subject.median / base.median,
      { max: TELEMETRY_MAX_MEDIAN_RATIO },
    );
    return {
      rows,
      targets: [target],
      notes: [
        "telemetry: each side runs in its own process (the optional peer is loaded once per process); in the " +
          '"not installed" one a module hook makes `@opentelemetry/api` unresolvable. A request with a cached ' +
          "token starts no span and records no metric: instrumentation sits only on token calls, refreshes, " +
          "store operations and logout.",
      ],
    };
  } finally {
    for (const child of children.values())
      if (child.exitCode === null) child.send({ type: "exit" } satisfies ParentMessage);
    await platform.close();
  }
}

if (process.argv[2] === CHILD_FLAG) {
  runChild(process.argv[3] as Mode, process.argv[4] ?? "").catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
