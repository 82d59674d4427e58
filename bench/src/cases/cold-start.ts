import { fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakePlatform } from "@sessionstore/testkit/platform";
import { tempDir } from "../fixtures.js";
import type { Budget } from "../harness.js";
import { type ColdStartRun, countTarget, type Section } from "../report-types.js";

const SCRIPT = fileURLToPath(new URL("./cold-start-script.ts", import.meta.url));
const SCRIPT_LIMIT_MS = 60_000;

interface ScriptReport {
  readonly scriptMs: number;
  readonly afterImportsMs: number;
}

function runScript(databasePath: string, apiURL: string): Promise<ScriptReport & { processMs: number }> {
  const spawned = performance.now();
  const child = fork(SCRIPT, [databasePath, apiURL], { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the cold-start script did not answer within ${SCRIPT_LIMIT_MS} ms`));
    }, SCRIPT_LIMIT_MS);
    let report: (ScriptReport & { processMs: number }) | undefined;
    child.on("message", (message: ScriptReport) => {
      report = { ...message, processMs: performance.now() - spawned };
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (report && code === 0) resolve(report);
      else reject(new Error(`the cold-start script exited with code ${code}${report ? "" : " before answering"}`));
    });
  });
}

/**
 * Cold start: the same Node script run twice against one SQLite file. Run 1
 * signs in; run 2 must restore the cached token and make no token call.
 */
export async function benchColdStart(_budget: Budget): Promise<Section> {
  const platform = await startFakePlatform();
  const dir = tempDir("cold-start");
  const databasePath = join(dir.path, "sessions.db");
  const runs: ColdStartRun[] = [];
  const notes: string[] = [];
  try {
    for (const run of [1, 2]) {
      platform.resetStats();
      const report = await runScript(databasePath, platform.url);
      runs.push({ run, tokenCalls: platform.stats.tokenCalls, scriptMs: report.scriptMs, processMs: report.processMs });
      notes.push(
        `cold start run ${run}: ${report.afterImportsMs.toFixed(1)} ms from the modules being loaded to the first ` +
          "authenticated answer (opening the database, restoring or signing in, one API call).",
      );
    }
  } finally {
    await platform.close();
    dir.remove();
  }
  const [first, second] = runs;
  if (first && second) {
    notes.push(
      `cold start: run 2 (cached) took ${(second.scriptMs / first.scriptMs).toFixed(2)}× the time of run 1 inside the ` +
        "script; both runs start the script through tsx, which dominates the time from spawn.",
    );
  }
  return {
    coldStart: runs,
    notes,
    targets: [countTarget("Token calls 0 on a cached re-run (cold start, run 2)", second?.tokenCalls, 0)],
  };
}
