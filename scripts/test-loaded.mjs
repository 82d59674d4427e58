#!/usr/bin/env node
// `pnpm test:loaded [--runs N] [vitest args...]`: runs `pnpm test` while one
// CPU hog per core keeps the machine busy (load ≈ 2× the core count with the
// tests), N times in a row (default 1), stopping at the first failure. The hogs
// are stopped when the runs end, fail or are interrupted, and stop by
// themselves if this script is killed outright (they watch their parent).
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number ≥ 1");

const hogSource = `const parent = ${process.pid}; for (let i = 0; ; i += 1) if (i % 1e8 === 0 && process.ppid !== parent) process.exit(0);`;
const hogs = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ["-e", hogSource], { stdio: "ignore" }),
);
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill("SIGKILL");
};
process.on("exit", stopHogs);
let current;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopHogs();
    current?.kill(signal);
    process.exit(130);
  });
}
console.log(`test:loaded: ${hogs.length} CPU hogs started (pids ${hogs.map((hog) => hog.pid).join(", ")})`);

let status = 0;
for (let run = 1; run <= runs && status === 0; run += 1) {
  const started = Date.now();
  console.log(`\ntest:loaded: run ${run} of ${runs}`);
  status = await new Promise((resolve) => {
    current = spawn("pnpm", ["test", ...args], { cwd: root, stdio: "inherit" });
    current.on("exit", (code) => resolve(code ?? 1));
    current.on("error", () => resolve(1));
  });
  console.log(
    `test:loaded: run ${run} ${status === 0 ? "passed" : "FAILED"} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}
stopHogs();
process.exit(status);
