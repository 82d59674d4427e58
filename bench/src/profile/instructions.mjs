/**
 * Measuring aid (not part of `pnpm bench`): client-side CPU instructions per
 * Redis get or set, counted by valgrind's callgrind. Counts do not move with
 * the machine's load the way times do, so two builds can be compared on a
 * busy or throttled host where a 5% change drowns in the noise of a timed run.
 *
 * Runs the loop twice under callgrind (a short and a long run) and divides the
 * difference by the operations between them, so start-up and warm-up cancel.
 * Redis' own work is not counted (another process). Plain JavaScript, run by
 * node itself: tsx would add its own calls to every function it compiles.
 *
 *   pnpm build && node bench/src/profile/instructions.mjs <manager|keyv> <get|set> [callers] [store module]
 *
 * `store module` is a path to another build of @sessionstore/redis (its
 * dist/index.js copied aside, say) to count instead of the current one.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const [subject = "manager", op = "set", callersArg = "50", storeModule = "", iterationsArg] = process.argv.slice(2);
const callers = Number(callersArg);
// Enough operations between the two runs that the JIT's tiering and GC timing average out.
const SHORT = Math.max(100, Math.ceil(5_000 / callers));
const LONG = SHORT + Math.max(400, Math.ceil(20_000 / callers));

/** fixtures.ts' `sampleAuth`, copied: this file runs without tsx, so it cannot import TypeScript. */
function sampleAuth() {
  return {
    accessToken: `eyJ${randomBytes(180).toString("base64url")}`,
    refreshToken: randomBytes(32).toString("base64url"),
    expiresIn: 3600,
    tokenType: "bearer",
    scope: "global:read global:write",
    ref: { type: "user", id: 42 },
  };
}

/** One measured process: `iterations` rounds of `callers` concurrent calls, then its keys are deleted. */
async function child(iterations) {
  const prefix = `sessionstore-bench-instructions-${randomBytes(4).toString("hex")}`;
  const subjects = Array.from({ length: callers }, (_, index) => `user-${index}`);
  const auth = sampleAuth();
  let write;
  let read;
  let close;
  if (subject === "keyv") {
    const { createKeyv } = await import("@keyv/redis");
    const keyv = createKeyv(REDIS_URL, { namespace: prefix });
    const record = { auth: { ...auth, expiresAt: Date.now() + 3_600_000 }, updatedAt: Date.now() };
    const keys = subjects.map((name) => `bench:${name}:password`);
    write = () => Promise.all(keys.map((key) => keyv.set(key, { ...record, updatedAt: Date.now() })));
    read = () => Promise.all(keys.map((key) => keyv.get(key)));
    close = async () => {
      await keyv.clear();
      await keyv.disconnect();
    };
  } else {
    const { createSessionManager } = await import("@sessionstore/core");
    const redis = await import(storeModule ? pathToFileURL(resolve(storeModule)).href : "@sessionstore/redis");
    const store = redis.createRedisStore({ url: REDIS_URL, keyPrefix: prefix });
    const root = createSessionManager(store, { namespace: "instructions" });
    const managers = subjects.map((name) => root.forSubject(name));
    write = () => Promise.all(managers.map((manager) => manager.set(auth, "password")));
    read = () => Promise.all(managers.map((manager) => manager.get("password")));
    close = async () => {
      for (const manager of managers) await manager.delete("password");
      await store.close();
    };
  }
  // Every key is written first, so a `get` counts a hit, not a miss (which would look cheap and mean nothing).
  await write();
  const call = op === "get" ? read : write;
  for (let index = 0; index < iterations; index += 1) await call();
  await close();
}

/** The instructions one child process ran, as callgrind counts them. */
function count(iterations) {
  const script = fileURLToPath(import.meta.url);
  const args = [subject, op, String(callers), storeModule, String(iterations)];
  const run = spawnSync(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, script, ...args],
    { encoding: "utf8", env: { ...process.env, INSTRUCTIONS_CHILD: "1" } },
  );
  const match = /I\s+refs:\s+([\d,]+)/.exec(run.stderr ?? "");
  if (run.status !== 0 || !match) {
    throw new Error(`valgrind ${run.error?.message ?? `exited ${run.status}`}:\n${run.stderr ?? ""}`);
  }
  return Number(match[1].replaceAll(",", ""));
}

if (process.env.INSTRUCTIONS_CHILD === "1") {
  await child(Number(iterationsArg));
} else {
  const short = count(SHORT);
  const long = count(LONG);
  const perOp = (long - short) / ((LONG - SHORT) * callers);
  console.log(
    `${subject} ${op} ×${callers}${storeModule ? ` (${storeModule})` : ""}: ${Math.round(perOp).toLocaleString("en")} instructions per operation`,
  );
}
