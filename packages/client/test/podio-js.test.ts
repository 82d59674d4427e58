import { createRequire } from "node:module";
import { createMemoryStore, createSessionManager, type SessionManager, type SessionStore } from "@sessionstore/core";
import { afterAll, describe, expect, it } from "vitest";
import { createKeyvStore } from "../../keyv/src/index.js";
import { postgresKeyv, uniqueTable } from "../../keyv/test/support/postgres.js";
import { makeClient, platform } from "./support/harness.js";
import { crossProcessBackends, memoryBackend, openStore, type StoreBackend } from "./support/stores.js";

interface PodioInstance {
  authenticateWithCredentials(username: string, password: string, callback: (error: unknown) => void): void;
  isAuthenticated(): Promise<void>;
  request(method: string, path: string, data?: unknown): Promise<unknown>;
}
type PodioConstructor = new (
  auth: { authType: string; clientId: string; clientSecret: string },
  options: { sessionStore: unknown; apiURL: string },
) => PodioInstance;

// The real, unmodified podio-js 1.6.1 (CommonJS).
const { api: Podio } = createRequire(import.meta.url)("podio-js") as { api: PodioConstructor };

const backends = [memoryBackend(), ...crossProcessBackends()];
afterAll(async () => {
  for (const backend of backends) await backend.cleanup();
});

const AUTH = { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" };

describe.each(backends)("podio-js 1.6.1 with our $name store as its sessionStore", (backend) => {
  it("persists on sign-in, restores in a second instance, refreshes into the store; our client reads it too", async () => {
    const server = await platform();
    const manager: SessionManager = createSessionManager(await backend.open(), {
      subject: `podio-${Math.random().toString(36).slice(2)}`,
    });
    const first = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await new Promise<void>((resolve, reject) =>
      first.authenticateWithCredentials("demo", "demo-password", (error) =>
        error === null ? resolve() : reject(error),
      ),
    );
    const stored = await manager.get("password");
    expect(stored).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600,
    });

    // A new instance restores from the store and calls the API without authenticating.
    const second = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await second.isAuthenticated();
    expect(await second.request("get", "/user/status")).toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);

    // After expiry podio-js refreshes (on the 401) and the store holds the new pair.
    server.expireAccessTokens();
    expect(await second.request("get", "/items/3")).toMatchObject({ item_id: "3" });
    expect(server.stats.refreshCalls).toBe(1);
    const renewed = await manager.get("password");
    expect(renewed?.accessToken).not.toBe(stored?.accessToken);
    expect(renewed?.refreshToken).not.toBe(stored?.refreshToken);

    // Our client, on the same store, uses what podio-js wrote (no fingerprint: written by podio-js).
    const ours = makeClient(server, { sessionStore: manager });
    await expect(ours.request("GET", "/user/status")).resolves.toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(2);
  });

  it("a session our client saved is restored by podio-js", async () => {
    const server = await platform();
    const manager = createSessionManager(await backend.open(), {
      subject: `ours-${Math.random().toString(36).slice(2)}`,
    });
    await makeClient(server, { sessionStore: manager }).authenticateWithCredentials("demo", "demo-password");
    const podio = new Podio(AUTH, { sessionStore: manager, apiURL: server.url });
    await podio.isAuthenticated();
    expect(await podio.request("get", "/user/status")).toMatchObject({ user: { username: "demo" } });
    expect(server.stats.tokenCalls).toBe(1);
  });
});

// How many times each store runs the sign-in-then-request loop below. CI runs a
// few per `pnpm test`; `pnpm test:podio` runs the full 50 (PODIO_JS_RUNS=50).
const RUNS = Number(process.env.PODIO_JS_RUNS ?? 10);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`PODIO_JS_RUNS must be a positive integer, got ${RUNS}`);

interface FreshStore {
  readonly store: SessionStore;
  /** Closes the store and removes what the run left in a backend other runs share. */
  dispose(): Promise<void>;
}

/** Keyv over PostgreSQL (@keyv/postgres), a table per run: its first call connects and creates the table. */
function keyvPostgresBackend(): { name: string; fresh(): Promise<FreshStore> } {
  return {
    name: "keyv + @keyv/postgres",
    async fresh() {
      const table = uniqueTable("podio");
      const { adapter, keyv } = postgresKeyv(table, "podio");
      const store = createKeyvStore({ keyv });
      return {
        store,
        async dispose() {
          await store.close();
          // No keyv.disconnect(): @keyv/postgres shares one pool per URI between instances.
          await adapter.query(`DROP TABLE IF EXISTS ${table}`);
        },
      };
    },
  };
}

/** A new store instance, as a process that just started makes it: nothing opened or connected yet. */
function freshStores(backend: StoreBackend): { name: string; fresh(): Promise<FreshStore> } {
  return {
    name: backend.name,
    async fresh() {
      const store = backend.name === "memory" ? createMemoryStore() : await openStore(backend.spec);
      return { store, dispose: async () => store.close() };
    },
  };
}

// Same backends (and temp dirs, removed in afterAll) as above, a new store instance per run.
const freshBackends = [...backends.map(freshStores), keyvPostgresBackend()];

/** Hands podio-js the manager unchanged, and tells when podio-js's constructor read has answered. */
function watchedReads(manager: SessionManager) {
  let answered!: () => void;
  const constructorRead = new Promise<void>((resolve) => {
    answered = resolve;
  });
  const sessionStore = {
    get: (authType: "password", callback: (auth: unknown) => void) =>
      manager.get(authType, (auth) => {
        callback(auth);
        answered();
      }),
    set: manager.set.bind(manager),
  };
  return { sessionStore, constructorRead };
}

describe.each(freshBackends)("podio-js 1.6.1 signs in and calls the API at once on a fresh $name store", (backend) => {
  it(`keeps its own sign-in against the constructor's late store read (${RUNS} runs, 0 failures)`, async () => {
    const server = await platform();
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const { store, dispose } = await backend.fresh();
      const manager = createSessionManager(store, { subject: `race-${run}-${Math.random().toString(36).slice(2)}` });
      const { sessionStore, constructorRead } = watchedReads(manager);
      try {
        // Exactly as a user writes it: construct, sign in, request; no waiting in between.
        const podio = new Podio(AUTH, { sessionStore, apiURL: server.url });
        await new Promise<void>((resolve, reject) =>
          podio.authenticateWithCredentials("demo", "demo-password", (error) =>
            error === null ? resolve() : reject(error),
          ),
        );
        await podio.request("get", "/user/status");
        // Once the constructor's read has answered, the instance must still hold the sign-in.
        await constructorRead;
        await podio.request("get", "/items/1");
        expect((await manager.get("password"))?.accessToken).toEqual(expect.any(String));
      } catch (error) {
        failures.push(`run ${run + 1}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await manager.delete("password").catch(() => undefined);
        await dispose();
      }
    }
    expect({ runs: RUNS, failures }).toEqual({ runs: RUNS, failures: [] });
    // One sign-in per run, and never a second one to recover a lost session.
    expect(server.stats.tokenCalls).toBe(RUNS);
  });
});
