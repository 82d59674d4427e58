import { PlatformClient } from "@sessionstore/client";
import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { DEMO_AUTH, DEMO_USER } from "../demo.js";
import { CALLERS } from "../fixtures.js";
import { type Budget, compare, concurrently, type Row } from "../harness.js";
import { type PlatformProcess, startPlatformProcess } from "../platform-process.js";
import { ratioTarget, type Section } from "../report-types.js";

/** Client speed goal: median latency at most this many times raw fetch's. */
export const CLIENT_MAX_MEDIAN_RATIO = 1.05;

const CLIENT_LIMITS =
  "client (what limits it, from `node --cpu-prof` and side-by-side variants on Node 20): the client's own code " +
  "(URL join, request building, header object, the session check, parsing) is 2-4 µs per request in the profile; " +
  "the rest of its gap to the timeout row is spread over async frames and allocation. Why the reference carries " +
  'the timeout: see "Goals decided against" (a bare fetch is printed beside it).';

/** The client's default request timeout, so the reference row pays for the same timer. */
const CLIENT_TIMEOUT_MS = 30_000;

async function signedInClient(platform: PlatformProcess) {
  const manager = createSessionManager(createMemoryStore());
  const client = new PlatformClient(DEMO_AUTH, { apiURL: platform.url, sessionStore: manager });
  await client.authenticateWithCredentials(DEMO_USER.username, DEMO_USER.password);
  const accessToken = (await manager.get("password"))?.accessToken;
  if (!accessToken) throw new Error("the client stored no session after signing in");
  return { client, accessToken };
}

async function measureAgainst(platform: PlatformProcess, label: string, budget: Budget): Promise<Row[]> {
  const { client, accessToken } = await signedInClient(platform);
  const url = `${platform.url}/items/1`;
  const headers = { accept: "application/json", authorization: `Bearer ${accessToken}` };
  const rawFetch = async () => {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`raw fetch answered ${response.status}`);
    return response.json();
  };
  // What a careful hand-written call also pays: a timeout, i.e. an AbortSignal handed to fetch.
  const rawFetchWithTimeout = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), CLIENT_TIMEOUT_MS);
    try {
      const response = await fetch(url, { headers, signal: controller.signal });
      if (!response.ok) throw new Error(`raw fetch answered ${response.status}`);
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  };
  const viaClient = () => client.request("GET", "/items/1");
  const rows = await compare(
    "client",
    budget,
    { name: `raw fetch + JSON${label}`, fn: rawFetch },
    { name: `client.request (cached token)${label}`, fn: viaClient },
    { name: `raw fetch + JSON + 30 s timeout signal${label}`, fn: rawFetchWithTimeout },
  );
  if (label) return rows;
  const many = { opsPerIteration: CALLERS, iteration: `${CALLERS} concurrent callers` };
  rows.push(
    ...(await compare(
      "client",
      budget,
      { name: `raw fetch + JSON ×${CALLERS}`, fn: concurrently(CALLERS, rawFetch), ...many },
      { name: `client.request ×${CALLERS}`, fn: concurrently(CALLERS, viaClient), ...many },
    )),
  );
  return rows;
}

/**
 * `client.request()` with a cached token beside `fetch` with the header set by
 * hand, against the same fake platform running in another process (its CPU
 * time is charged to neither side, as with a real remote API).
 */
export async function benchClient(budget: Budget): Promise<Section> {
  const rows: Row[] = [];
  let tokenCallsWhileMeasuring = 0;
  const local = await startPlatformProcess();
  try {
    const before = await local.stats();
    rows.push(...(await measureAgainst(local, "", budget)));
    tokenCallsWhileMeasuring = (await local.stats()).tokenCalls - before.tokenCalls - 1;
  } finally {
    await local.close();
  }
  // A real API is at least a network hop away: the same comparison with 1 ms of server latency.
  const distant = await startPlatformProcess({ latencyMs: 1 });
  try {
    rows.push(...(await measureAgainst(distant, " (server +1 ms)", budget)));
  } finally {
    await distant.close();
  }
  const subject = rows.find((row) => row.name === "client.request (cached token)");
  const reference = rows.find((row) => row.name === "raw fetch + JSON + 30 s timeout signal");
  const overTimeout = subject && reference ? subject.stats.median / reference.stats.median : undefined;
  const target = ratioTarget(
    `Client request with a cached token: median latency ≤ ${CLIENT_MAX_MEDIAN_RATIO}× raw fetch with the same 30 s timeout (local server)`,
    overTimeout,
    { max: CLIENT_MAX_MEDIAN_RATIO },
  );
  return {
    rows,
    targets: [target],
    notes: [
      ...(target.status === "PASS" ? [] : [CLIENT_LIMITS]),
      `client: the fake platform runs in its own process; token calls while measuring (after the one sign-in): ` +
        `${tokenCallsWhileMeasuring}, so every request used the cached token.`,
      `client: the "timeout signal" row is raw fetch plus the AbortController and timer the client uses for its ` +
        `default 30 s timeout; the client's median is ${overTimeout === undefined ? "?" : `${((overTimeout - 1) * 100).toFixed(0)}%`} above it, the rest of its own cost per request.`,
    ],
  };
}
