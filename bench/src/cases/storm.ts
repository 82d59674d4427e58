import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PlatformClient } from "@sessionstore/client";
import { createMemoryStore, createSessionManager, type SessionManager } from "@sessionstore/core";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { DEMO_AUTH, DEMO_USER } from "../demo.js";
import { tempDir, uniqueId } from "../fixtures.js";
import { type Budget, loadNow } from "../harness.js";
import { countTarget, type Section, type StormResult } from "../report-types.js";
import { deleteRedisKeys } from "./baselines.js";
import { naiveClient } from "./naive-client.js";
import { errorCode, openStormStore, type StormStoreKind, type WorkerMessage } from "./storm-store.js";

const WORKER = fileURLToPath(new URL("./storm-worker.ts", import.meta.url));
const STORM_REQUESTS = 1000;
const PROCESSES = 8;
const REQUESTS_PER_PROCESS = 25;
// Bounds a stuck storm (a lost lock waits 35 s by default): it fails loudly instead of hanging CI.
const WORKER_LIMIT_MS = 60_000;

/**
 * Signs in once, then makes the stored session expired on both sides: its
 * `expiresAt` is in the past (clients see it is due) and the platform refuses
 * its access token (a client that did not look would get a 401). The stats are
 * zeroed, so what follows counts only the storm.
 */
async function expiredSession(platform: FakePlatform, manager: SessionManager): Promise<void> {
  const client = new PlatformClient(DEMO_AUTH, { apiURL: platform.url, sessionStore: manager });
  await client.authenticateWithCredentials(DEMO_USER.username, DEMO_USER.password);
  const stored = await manager.read("password");
  if (!stored) throw new Error("no session stored after signing in");
  const past = Date.now() - 60_000;
  await manager.write(
    "password",
    { ...stored.auth, issuedAt: past - 3_600_000, expiresAt: past },
    stored.fingerprint === undefined ? {} : { fingerprint: stored.fingerprint },
  );
  platform.expireAccessTokens();
  platform.resetStats();
}

/** 1,000 concurrent requests from one client whose token is expired: one token call. */
async function inProcessStorm(platform: FakePlatform, how: "expired" | "401"): Promise<StormResult> {
  const manager = createSessionManager(createMemoryStore());
  await expiredSession(platform, manager);
  if (how === "401") {
    // The client believes the token is good; only the API's 401 says otherwise.
    const stored = await manager.read("password");
    if (stored) {
      const auth = { ...stored.auth, expiresAt: Date.now() + 3_600_000 };
      await manager.write("password", auth, stored.fingerprint ? { fingerprint: stored.fingerprint } : {});
    }
  }
  const client = new PlatformClient(DEMO_AUTH, { apiURL: platform.url, sessionStore: manager });
  await client.ready;
  const loadAtStart = loadNow();
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: STORM_REQUESTS }, (_, index) => client.request("GET", `/items/${index}`)),
  );
  const drainMs = performance.now() - started;
  const failed = outcomes.filter((outcome) => outcome.status === "rejected");
  const firstFailure = failed[0];
  return {
    name: `${STORM_REQUESTS} concurrent requests, one client, token ${how === "expired" ? "known expired" : "rejected with 401"}`,
    requests: STORM_REQUESTS,
    tokenCalls: platform.stats.tokenCalls,
    expectedTokenCalls: 1,
    failures: failed.length,
    drainMs,
    reuseDetected: platform.stats.reuseDetected,
    loadAtStart,
    ...(firstFailure ? { error: `first failure: ${errorCode(firstFailure.reason)}` } : {}),
  };
}

/**
 * The same storm (token rejected with 401) through a plain refresh-on-401
 * fetch wrapper: what the SessionManager and client save a user. Its count is
 * reported, not asserted (it is whatever the naive code does).
 */
async function naiveStorm(platform: FakePlatform): Promise<StormResult> {
  const manager = createSessionManager(createMemoryStore());
  await expiredSession(platform, manager);
  const stored = await manager.get("password");
  if (!stored?.refreshToken) throw new Error("no refresh token stored after signing in");
  const request = naiveClient(platform, { accessToken: stored.accessToken, refreshToken: stored.refreshToken });
  const loadAtStart = loadNow();
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: STORM_REQUESTS }, (_, index) => request(`/items/${index}`)),
  );
  const drainMs = performance.now() - started;
  const failed = outcomes.filter((outcome) => outcome.status === "rejected");
  const firstFailure = failed[0];
  return {
    name: `${STORM_REQUESTS} concurrent requests, naive refresh-on-401 fetch wrapper (reference)`,
    requests: STORM_REQUESTS,
    tokenCalls: platform.stats.tokenCalls,
    expectedTokenCalls: 1,
    failures: failed.length,
    drainMs,
    reuseDetected: platform.stats.reuseDetected,
    loadAtStart,
    reference: true,
    ...(firstFailure
      ? { error: `first failure: ${firstFailure.reason instanceof Error ? firstFailure.reason.message : "?"}` }
      : {}),
  };
}

/** Where the 8 processes keep their shared session, and how to remove it afterwards. */
function storeLocation(kind: StormStoreKind): { location: string; cleanup: () => Promise<void> } {
  if (kind === "redis") {
    const namespace = `sessionstore-bench-storm-${uniqueId()}`;
    return { location: namespace, cleanup: () => deleteRedisKeys(`${namespace}:`) };
  }
  const dir = tempDir(`storm-${kind}`);
  const file = join(dir.path, kind === "sqlite" ? "sessions.db" : "sessions.json");
  return { location: file, cleanup: async () => dir.remove() };
}

/** Follows one worker: `ready` once it restored the session, `done` with its outcome (also if it dies). */
function follow(worker: ChildProcess): { ready: Promise<void>; done: Promise<WorkerMessage> } {
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const done = new Promise<WorkerMessage>((resolve) => {
    worker.on("message", (message: WorkerMessage) => (message.type === "ready" ? markReady() : resolve(message)));
    worker.once("exit", (code) => {
      markReady();
      resolve({ type: "done", ok: 0, failed: REQUESTS_PER_PROCESS, errors: [`worker exited with code ${code}`] });
    });
  });
  return { ready, done };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** 8 processes on one store, token expired, each making requests at once: one token call in total. */
async function processStorm(platform: FakePlatform, kind: StormStoreKind): Promise<StormResult> {
  const { location, cleanup } = storeLocation(kind);
  const workers: ChildProcess[] = [];
  try {
    const manager = createSessionManager(await openStormStore(kind, location));
    await expiredSession(platform, manager);
    await manager.close();
    const args = [kind, location, platform.url, String(REQUESTS_PER_PROCESS)];
    for (let index = 0; index < PROCESSES; index += 1) workers.push(fork(WORKER, args, { stdio: "inherit" }));
    const followed = workers.map(follow);
    await within(Promise.all(followed.map((entry) => entry.ready)), WORKER_LIMIT_MS, "starting the workers");
    const loadAtStart = loadNow();
    const started = performance.now();
    for (const worker of workers) worker.send({ type: "go" });
    const done = await within(Promise.all(followed.map((entry) => entry.done)), WORKER_LIMIT_MS, "the storm");
    const drainMs = performance.now() - started;
    const errors = done.flatMap((message) => (message.type === "done" ? message.errors : []));
    return {
      name: `${PROCESSES} processes × ${REQUESTS_PER_PROCESS} concurrent requests, one ${kind} store`,
      requests: PROCESSES * REQUESTS_PER_PROCESS,
      tokenCalls: platform.stats.tokenCalls,
      expectedTokenCalls: 1,
      failures: done.reduce((sum, message) => sum + (message.type === "done" ? message.failed : 0), 0),
      drainMs,
      reuseDetected: platform.stats.reuseDetected,
      loadAtStart,
      ...(errors.length > 0 ? { error: [...new Set(errors)].slice(0, 3).join("; ") } : {}),
    };
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
    await cleanup();
  }
}

function crashed(name: string, error: unknown): StormResult {
  const message = error instanceof Error ? error.message : String(error);
  return { name, requests: 0, tokenCalls: -1, expectedTokenCalls: 1, failures: 0, drainMs: Number.NaN, error: message };
}

/** Both storms (the multi-process one on SQLite, file and Redis); token calls asserted, drain time reported. */
export async function benchStorms(budget: Budget): Promise<Section> {
  const storms: StormResult[] = [];
  const platform = await startFakePlatform();
  try {
    for (const how of ["expired", "401"] as const) {
      storms.push(
        await inProcessStorm(platform, how).catch((error: unknown) => crashed(`in-process storm (${how})`, error)),
      );
    }
    const naive = await naiveStorm(platform).catch((error: unknown) => crashed("naive storm", error));
    storms.push({ ...naive, reference: true });
    // Eight tsx processes take seconds to start on a small machine: --quick keeps to the two embedded stores.
    const kinds: StormStoreKind[] = budget.quick ? ["sqlite", "file"] : ["sqlite", "file", "redis"];
    for (const kind of kinds) {
      storms.push(
        await processStorm(platform, kind).catch((error: unknown) =>
          crashed(`${PROCESSES}-process storm (${kind})`, error),
        ),
      );
    }
  } finally {
    await platform.close();
  }
  const ours = storms.find((storm) => storm.name.endsWith("rejected with 401"));
  const naive = storms.find((storm) => storm.reference);
  return {
    storms,
    notes:
      ours && naive && naive.tokenCalls >= 0
        ? [
            `storms: the same 1,000-request 401 storm made ${naive.tokenCalls} token call(s) through a plain ` +
              `refresh-on-401 fetch wrapper (${naive.failures} requests failed, ${naive.reuseDetected ?? 0} refresh-token ` +
              `reuse(s) detected, each revoking the token family) and ${ours.tokenCalls} through the client: ` +
              `${naive.tokenCalls - ours.tokenCalls} token call(s) saved.`,
          ]
        : [],
    targets: storms
      .filter((storm) => !storm.reference)
      .map((storm) =>
        countTarget(
          `Token calls exactly 1: ${storm.name}${storm.failures > 0 ? ` (${storm.failures} requests failed)` : ""}`,
          storm.tokenCalls < 0 ? undefined : storm.tokenCalls,
          1,
        ),
      ),
  };
}
