// Issue: a delete during another process's refresh did not stick. Process B
// refreshes (its token call held at a slow token endpoint, B holding the
// refresh lock); meanwhile A removes the session: set({}), delete(), clear(),
// or the `sessionstore` CLI as a process of its own. Before, A's delete landed
// at once and B then wrote its new pair back: the user was signed in again.
// Now every removal waits for the refresh lock: B's refresh finishes, then the
// removal lands, the store stays empty, and B's next request that needs the
// session reports ERR_NOT_AUTHENTICATED without a token call.
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { createSessionManager, type SessionManager } from "@sessionstore/core";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { exited } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, lockingBackends, REDIS_URL, type StoreSpec } from "./support/backends.js";
import { bundleFixture, killGroup, message, startChild } from "./support/children.js";
import { bundleCli } from "./support/cli-bin.js";
import { expireStored, signedInClient } from "./support/clients.js";
import { startTokenGate, type TokenGate } from "./support/token-gate.js";

// How long the removal gets, with the token call held, to prove it waits for the
// refresh instead of landing. The fixed code never settles within it whatever
// the load (it waits up to 35 s); the old code settled within milliseconds.
const HEAD_START_MS = { inProcess: 1_000, cli: 4_000 };

interface Done {
  type: "done";
  error?: string;
  events: string[];
}

interface Removal {
  readonly name: string;
  readonly kind: keyof typeof HEAD_START_MS;
  /** Starts the removal; resolves when it finished (the CLI's exit code, or the manager's answer). */
  start(manager: SessionManager, backend: Backend): Promise<unknown>;
}

const backends = lockingBackends();
let worker: string;
let cli: { script: string; dir: string };
let server: FakePlatform;
let gate: TokenGate;

function storeUri(spec: StoreSpec): string {
  if (spec.kind === "file") return `file:${spec.path}`;
  if (spec.kind === "sqlite") return `sqlite:${spec.path}`;
  return `${REDIS_URL}?namespace=${encodeURIComponent(spec.namespace)}`;
}

function runCli(backend: Backend, args: string[]): Promise<unknown> {
  if (!backend.spec) throw new Error(`${backend.name} cannot be opened by another process`);
  const child = startChild(cli.script, [...args, "--store", storeUri(backend.spec), "--namespace", "sessionstore"]);
  child.stdin?.end();
  child.stdout?.resume();
  return exited(child);
}

const REMOVALS: Removal[] = [
  { name: "set({}, authType)", kind: "inProcess", start: (manager) => manager.set({}, "password") },
  { name: "delete(authType)", kind: "inProcess", start: (manager) => manager.delete("password") },
  { name: "clear()", kind: "inProcess", start: (manager) => manager.clear() },
  {
    name: "the CLI's delete",
    kind: "cli",
    start: (_manager, backend) => runCli(backend, ["delete", "--subject", "default", "--auth-type", "password"]),
  },
  { name: "the CLI's clear", kind: "cli", start: (_manager, backend) => runCli(backend, ["clear", "--yes"]) },
];

beforeAll(async () => {
  [worker, cli, server] = await Promise.all([bundleFixture("removal-worker"), bundleCli(), startFakePlatform()]);
  gate = await startTokenGate(server.url);
});
afterAll(async () => {
  await gate?.close();
  await server?.close();
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
  if (cli) rmSync(cli.dir, { recursive: true, force: true });
});

/** Whether `pending` settled within `ms` (it keeps running either way). */
async function settlesWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = pending.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s store", (_name, backend) => {
  it.each(REMOVALS.map((removal) => [removal.name, removal] as const))(
    "%s while another process refreshes: the removal waits for the refresh, then sticks",
    async (_label, removal) => {
      const manager = createSessionManager(backend.open());
      // Signed in through the gate (open): the session's fingerprint names the token
      // URL, and B, whose token calls go through the gate, restores only a session
      // signed in for that URL.
      gate.open();
      await signedInClient(server, manager, { apiURL: gate.url });
      // Expired by its recorded expiry and at the server: B's first request must refresh.
      await expireStored(manager);
      server.expireAccessTokens();
      gate.shut();
      let b: ChildProcess | undefined;
      try {
        b = startChild(worker, [JSON.stringify(backend.spec), gate.url]);
        await message(b, "ready");
        const tokenCallsBefore = server.stats.tokenCalls;
        b.send("go");
        // B holds the refresh lock now, its token call held at the gate. Should B
        // answer without a token call instead, fail at once with its answer.
        const early = message<Done>(b, "done");
        early.catch(() => undefined);
        const first = await Promise.race([gate.arrived().then(() => "arrived" as const), early]);
        expect(first).toBe("arrived");

        const removing = removal.start(manager, backend);
        removing.catch(() => undefined);
        expect(await settlesWithin(removing, HEAD_START_MS[removal.kind])).toBe(false);

        const firstDone = early;
        gate.open();
        // B's refresh came first (it held the lock): its request succeeds with the new pair.
        // (An undefined error does not cross IPC: the key is absent, not undefined.)
        const firstAnswer = await firstDone;
        expect(firstAnswer.error).toBeUndefined();
        expect(firstAnswer.events).toEqual(["refreshed"]);
        const outcome = await removing;
        if (removal.kind === "cli") expect(outcome).toBe(0);
        expect(server.stats.tokenCalls).toBe(tokenCallsBefore + 1);

        // The removal stuck: nothing in the store, seen from a fresh store instance too.
        expect(await manager.get("password")).toBeUndefined();
        const fresh = createSessionManager(backend.open());
        expect(await fresh.get("password")).toBeUndefined();

        // B's next request needing the session (its access token now refused by the
        // server) reports not-authenticated, and no refresh brings the session back.
        server.expireAccessTokens();
        const secondDone = message<Done>(b, "done");
        b.send("go");
        expect((await secondDone).error).toBe("ERR_NOT_AUTHENTICATED");
        expect(server.stats.tokenCalls).toBe(tokenCallsBefore + 1);
        expect(await fresh.get("password")).toBeUndefined();
      } finally {
        gate.open();
        if (b) {
          b.send("exit");
          await Promise.race([exited(b), new Promise((resolve) => setTimeout(resolve, 5_000))]);
          killGroup(b);
        }
      }
    },
    60_000,
  );
});
