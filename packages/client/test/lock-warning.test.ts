import { randomBytes } from "node:crypto";
import type { LegacySessionStore } from "@sessionstore/core";
import { afterEach, describe, expect, it } from "vitest";
import type { PlatformClient } from "../src/index.js";
import { makeClient, platform } from "./support/harness.js";
import { lockedKeyvBackend, openStore, type StoreBackend } from "./support/stores.js";

const CODE = "SESSIONSTORE_NO_CROSS_PROCESS_LOCK";

/** Process warnings with our code, emitted while `body` runs (and the microtasks after it). */
async function processWarnings(body: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (warning: Error) => {
    if ((warning as Error & { code?: string }).code === CODE) seen.push(warning);
  };
  process.on("warning", listener);
  try {
    await body();
    // process.emitWarning delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return seen;
  } finally {
    process.off("warning", listener);
  }
}

/** A podio-js style store: no lock of any kind. */
function podioStyleStore(): LegacySessionStore {
  const saved = new Map<string, object>();
  return {
    get: (authType, callback) => callback(saved.get(authType)),
    set: (auth, authType, callback) => {
      saved.set(authType, auth);
      callback?.(null);
    },
  };
}

function warningsOf(client: PlatformClient): { code: string; message: string }[] {
  const heard: { code: string; message: string }[] = [];
  client.on("warning", (warning) => heard.push(warning));
  return heard;
}

const backends: StoreBackend[] = [];
afterEach(async () => {
  for (const backend of backends.splice(0)) await backend.cleanup();
});

describe("a client on a store that cannot lock across processes", () => {
  it("says so once per store (a 'warning' event per client, one process warning) and names the fix", async () => {
    const server = await platform();
    const store = podioStyleStore();
    let first: { code: string; message: string }[] = [];
    let second: { code: string; message: string }[] = [];
    const emitted = await processWarnings(async () => {
      first = warningsOf(makeClient(server, { sessionStore: store }));
      second = warningsOf(makeClient(server, { sessionStore: store }));
    });
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first[0]?.code).toBe(CODE);
    expect(first[0]?.message).toMatch(/cannot lock across processes/);
    expect(first[0]?.message).toMatch(/createKeyvStore\(keyv, \{ lock/);
    expect(first[0]?.message).toMatch(/singleProcess: true/);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.name).toBe("SessionStoreWarning");
  });

  it("a plain Keyv store (@keyv/postgres) is reported too; with a Redis lock it is not", async () => {
    const server = await platform();
    const locked = lockedKeyvBackend();
    backends.push(locked);
    const id = randomBytes(6).toString("hex");
    const { createKeyvStore } = await import("../../keyv/src/index.js");
    const { postgresKeyv } = await import("../../keyv/test/support/postgres.js");
    const table = `sessionstore_warn_${id}`;
    const { adapter, keyv } = postgresKeyv(table, `warn-${id}`);
    try {
      let plain: { code: string }[] = [];
      let withLock: { code: string }[] = [];
      const lockedStore = await locked.open();
      const emitted = await processWarnings(async () => {
        plain = warningsOf(makeClient(server, { sessionStore: createKeyvStore(keyv) }));
        withLock = warningsOf(makeClient(server, { sessionStore: lockedStore }));
      });
      expect(lockedStore.capabilities.lock).toBe(true);
      expect(plain.map((warning) => warning.code)).toEqual([CODE]);
      expect(withLock).toEqual([]);
      expect(emitted).toHaveLength(1);
    } finally {
      await adapter.query(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it("singleProcess: true silences it; the memory store and locking stores never warn", async () => {
    const server = await platform();
    const sqlite = await openStore({
      kind: "sqlite",
      path: `/tmp/sessionstore-warn-${randomBytes(6).toString("hex")}.db`,
    });
    try {
      let silenced: unknown[] = [];
      let memory: unknown[] = [];
      let locking: unknown[] = [];
      const emitted = await processWarnings(async () => {
        silenced = warningsOf(makeClient(server, { sessionStore: podioStyleStore(), singleProcess: true }));
        memory = warningsOf(makeClient(server));
        locking = warningsOf(makeClient(server, { sessionStore: sqlite }));
      });
      expect([silenced, memory, locking, emitted]).toEqual([[], [], [], []]);
    } finally {
      await sqlite.close();
      const { rmSync } = await import("node:fs");
      const path = (sqlite as { path?: string }).path ?? "";
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    }
  });

  it("a singleProcess that is not a boolean is refused, naming the option", async () => {
    const server = await platform();
    expect(() =>
      makeClient(server, { sessionStore: podioStyleStore(), singleProcess: "yes" as unknown as boolean }),
    ).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARGUMENT",
        message: expect.stringContaining("options.singleProcess"),
      }),
    );
  });
});
