import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PlatformClient } from "@sessionstore/client";
import { createSessionManager, type SessionManager, type SessionStore, type StoredSession } from "@sessionstore/core";
import { startFakePlatform } from "@sessionstore/testkit/platform";
import { forkTsx, message } from "@sessionstore/testkit/support";
import { afterAll, describe, expect, it } from "vitest";

// The client package's worker: restores the shared session, then makes N requests on "go".
const worker = fileURLToPath(new URL("../fixtures/refresh-worker.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** What a refresh worker reports when its requests are done. */
export interface Done {
  type: "done";
  ok: number;
  failures: string[];
  events: string[];
  /** With WORKER_OTEL=1: the worker's finished spans. */
  spans?: { name: string; spanId: string; parentSpanId?: string; attributes: Record<string, unknown> }[];
}

/** Makes the stored password session's access token expired by its recorded expiry; returns what was stored. */
export async function expireStoredSession(manager: SessionManager): Promise<StoredSession | undefined> {
  const stored = await manager.read("password");
  await manager.write(
    "password",
    { ...stored?.auth, expiresAt: Date.now() - 1000 },
    { fingerprint: stored?.fingerprint ?? "" },
  );
  return stored;
}

/** Waits until every worker is ready, lets them go together, and collects their reports. */
export async function runWorkers(children: ChildProcess[]): Promise<Done[]> {
  await Promise.all(children.map((child) => message(child, "ready")));
  const done = children.map((child) => message<Done>(child, "done"));
  for (const child of children) child.send("go");
  return Promise.all(done);
}

/** What one storm measured. */
export interface StormResult {
  readonly tokenCalls: number;
  readonly invalidGrant: number;
  readonly reuseDetected: number;
  readonly ok: number;
  readonly failures: string[];
  readonly events: string[];
}

/**
 * Signs in through `store`, makes the access token expired (in the record and
 * at the platform), then lets `workers` processes, each opening the store
 * from `spec`, make `requests` requests at once against a platform that
 * rotates refresh tokens and revokes the family on reuse.
 */
export async function refreshStorm(
  store: SessionStore,
  spec: object,
  workers: number,
  requests: number,
): Promise<StormResult> {
  const server = await startFakePlatform();
  const children: ChildProcess[] = [];
  try {
    const manager = createSessionManager(store);
    const signIn = new PlatformClient(
      { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
      { apiURL: server.url, sessionStore: manager, refreshJitterMs: 0 },
    );
    await signIn.authenticateWithCredentials("demo", "demo-password");
    await expireStoredSession(manager);
    server.expireAccessTokens();
    server.resetStats();
    for (let i = 0; i < workers; i += 1) {
      children.push(forkTsx(worker, [JSON.stringify(spec), server.url, String(requests)], { cwd: repoRoot }));
    }
    const reports = await runWorkers(children);
    return {
      tokenCalls: server.stats.tokenCalls,
      invalidGrant: server.stats.invalidGrant,
      reuseDetected: server.stats.reuseDetected,
      ok: reports.reduce((sum, report) => sum + report.ok, 0),
      failures: reports.flatMap((report) => report.failures),
      events: reports.flatMap((report) => report.events),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await server.close();
  }
}

/** How {@link describeRefreshStorm} reaches one backend. */
export interface RefreshStormOptions {
  /** The backend in words, for the title ("a PostgreSQL store"). */
  readonly title: string;
  /** The store in this process. */
  open(): SessionStore;
  /** The same store as the workers open it (see test/support/stores.ts). */
  readonly spec: object;
  /** Drops what the suite made, after it. */
  cleanup(): Promise<void>;
}

/** 8 processes x 25 requests on one expired session: one refresh, every other process adopts it. */
export function describeRefreshStorm(options: RefreshStormOptions): void {
  afterAll(() => options.cleanup());
  describe(`8 processes sharing ${options.title}, expired token, rotating refresh tokens with reuse detection`, () => {
    it("25 requests each: exactly 1 token call, 0 invalid_grant, every request succeeds", async () => {
      const store = options.open();
      try {
        const result = await refreshStorm(store, options.spec, 8, 25);
        expect(result.failures).toEqual([]);
        expect(result.ok).toBe(8 * 25);
        expect(result.tokenCalls).toBe(1);
        expect(result.invalidGrant).toBe(0);
        expect(result.reuseDetected).toBe(0);
        expect(result.events.filter((event) => event === "refreshed")).toHaveLength(1);
        // The other seven adopt the new pair (some more than once: the early-refresh and the 401 paths).
        expect(result.events.filter((event) => event !== "refreshed" && event !== "adopted")).toEqual([]);
        expect(result.events.filter((event) => event === "adopted").length).toBeGreaterThanOrEqual(7);
      } finally {
        await store.close();
      }
    }, 120_000);
  });
}
