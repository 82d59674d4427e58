// Property: whatever a backend echoes of the session it was handed (a driver
// error quoting the command, `error.sql` / `error.detail`, an AggregateError,
// a non-Error rejection, PHP-style `\/`), and whatever a corrupt record holds
// near its syntax error, no part of a token reaches an error's message, cause
// chain, util.inspect, JSON.stringify, or the console line the manager prints
// when nobody listens. Real SQLite, file, Redis and PostgreSQL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import KeyvPostgres from "@keyv/postgres";
import { createClient } from "@redis/client";
import { createSessionManager, fromLegacyStore, type SessionManager, type SessionStore } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import fc from "fast-check";
import Keyv from "keyv";
import pg from "pg";
import sqlite3 from "sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POSTGRES_URL, REDIS_URL, uniqueName } from "./support/backends.js";
import { leaksOf, type Secret, secretArb } from "./support/secrets.js";

const consoleLines: string[] = [];
const dirs: string[] = [];

beforeAll(() => {
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    consoleLines.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg, { depth: 10 }))).join(" "));
  });
});
afterAll(() => {
  vi.restoreAllMocks();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-redact-"));
  dirs.push(dir);
  return dir;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

function authOf(accessToken: Secret, refreshToken: Secret) {
  return { accessToken: accessToken.value, refreshToken: refreshToken.value, expiresIn: 3600 };
}

/** The ways a driver echoes a write it failed, given the key and the serialised value it was handed. */
const DRIVER_ECHOES: Readonly<Record<string, (key: string, value: string) => unknown>> = {
  command: (key, value) => new Error(`ERR wrong command ${JSON.stringify(["SET", key, value])}`),
  sqlDetail: (key, value) =>
    Object.assign(new Error("new row violates check constraint"), {
      sql: `INSERT INTO t VALUES ('${key}', '${value.replace(/'/g, "''")}')`,
      detail: `Failing row contains (${key}, ${value}).`,
      parameters: [key, value],
    }),
  aggregate: (key, value) =>
    new AggregateError(
      [new Error(`replica 1: ${value}`), `replica 2: ${JSON.stringify({ key, value })}`],
      "all failed",
    ),
  nonError: (key, value) => ({ command: "SET", args: [key, value], reason: "READONLY" }),
  string: (_key, value) => `write refused: ${value}`,
  phpSlashes: (_key, value) => new Error(`rejected ${JSON.stringify(value).replace(/\//g, "\\/")}`),
  causeChain: (_key, value) => new Error("write failed", { cause: new Error("inner", { cause: `payload=${value}` }) }),
  formEncoded: (_key, value) => {
    const auth = (JSON.parse(value) as { value?: { auth?: Record<string, string> } }).value?.auth ?? {};
    return new Error(`POST failed: refresh_token=${auth.refreshToken}&access_token=${auth.accessToken} (body echoed)`);
  },
};

const echoArb = fc.constantFrom(...Object.keys(DRIVER_ECHOES));
const runs = { numRuns: 30, endOnFailure: true } as const;

/** A Keyv whose backend rejects every write with `echo` of what it was handed. */
function echoingKeyv(echo: (key: string, value: string) => unknown): Keyv {
  const map = new Map<string, unknown>();
  const adapter = {
    get: async (key: string) => map.get(key),
    set: async (key: string, value: unknown) => {
      throw echo(key, typeof value === "string" ? value : JSON.stringify(value));
    },
    delete: async (key: string) => map.delete(key),
    clear: async () => map.clear(),
  };
  return new Keyv(adapter as unknown as Map<string, unknown>);
}

/** Every thing a set's failure can be seen through: the rejection, and the legacy callback path's console line. */
async function setFailures(manager: SessionManager, auth: object): Promise<unknown[]> {
  const rejected = await failureOf(manager.set(auth, "password"));
  const viaCallback = await new Promise<unknown>((resolve) => manager.set(auth, "password", resolve));
  return [rejected, viaCallback];
}

describe("backend echoes of a failed write", () => {
  it("a Keyv adapter, a plain SessionStore and a podio-style store that echo the record leak no token", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, secretArb, echoArb, async (access, refresh, echoName) => {
        const echo = DRIVER_ECHOES[echoName]!;
        const plain: SessionStore = {
          capabilities: { lock: false, list: false, nativeExpiry: false },
          get: () => undefined,
          set: (key, record) => Promise.reject(echo(key, JSON.stringify({ value: record }))),
          delete: () => false,
          close: () => undefined,
        };
        const legacy = fromLegacyStore({
          get: (_type, callback) => callback(undefined),
          set: (authObject, _type, callback) => {
            const failure = echo("password", JSON.stringify({ value: { auth: authObject } }));
            callback?.(failure instanceof Error ? failure : new Error(String(inspect(failure))));
          },
        });
        for (const store of [createKeyvStore({ keyv: echoingKeyv(echo) }), plain, legacy]) {
          const failures = await setFailures(createSessionManager(store), authOf(access, refresh));
          expect(failures.every((failure) => failure instanceof Error)).toBe(true);
          expect(leaksOf([access, refresh], failures)).toEqual([]);
        }
      }),
      runs,
    );
  });

  it("PostgreSQL's own 'Failing row contains (…)' detail, through @keyv/postgres (manager and bare store), leaks no token", async () => {
    const table = `redact_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    // A real constraint the record breaks: PostgreSQL quotes the whole failing row in `detail`.
    await admin.query(`CREATE TABLE ${table} (key VARCHAR(2048) PRIMARY KEY, value TEXT CHECK (length(value) < 2))`);
    const adapter = new KeyvPostgres({ uri: POSTGRES_URL, table, keySize: 2048, connectionTimeoutMillis: 5_000 });
    try {
      const store = createKeyvStore({ keyv: new Keyv(adapter, { namespace: uniqueName("pg") }) });
      const manager = createSessionManager(store);
      let sawDetail = false;
      await fc.assert(
        fc.asyncProperty(secretArb, secretArb, async (access, refresh) => {
          const failures = await setFailures(manager, authOf(access, refresh));
          // The store used directly, without a manager, masks the record it was handed too.
          failures.push(
            await failureOf(
              Promise.resolve().then(() =>
                store.set("ns:s:password", { v: 1, auth: authOf(access, refresh), updatedAt: 1 }),
              ),
            ),
          );
          sawDetail ||= inspect(failures[0], { depth: 10 }).includes("Failing row contains");
          expect(leaksOf([access, refresh], failures)).toEqual([]);
        }),
        { numRuns: 15, endOnFailure: true },
      );
      // The property is only worth something if the real echo was there to mask.
      expect(sawDetail).toBe(true);
    } finally {
      await adapter.disconnect?.().catch(() => undefined);
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
  });
});

/** Secrets whose core comes first, so the core sits right at the syntax error V8 quotes. */
const coreFirst = secretArb.map(({ value, core }) => ({ value: value.slice(value.indexOf(core)), core }));

/** Record text that is not JSON, with the tokens right at the syntax error (V8 quotes the text around it). */
function corruptText(access: Secret, refresh: Secret, variant: number): string {
  const json = (text: string) => JSON.stringify(text);
  switch (variant % 3) {
    case 0:
      return `{"v":1,"auth":{"accessToken": ${access.value}","refreshToken":${json(refresh.value)}},"updatedAt":1}`;
    case 1:
      return `{"v":1,"auth":{"accessToken":${json(access.value)},"refreshToken":${json(refresh.value)}`;
    default:
      return `{"v":1,"auth":{"accessToken":${json(access.value)} ${refresh.value},"refreshToken":1}}`;
  }
}

function sqliteRun(path: string, sql: string, parameters: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (openError) => {
      if (openError) return reject(openError);
      db.run(sql, parameters, function done(this: { changes: number }, error: Error | null) {
        const changes = this?.changes ?? 0;
        db.close(() => (error ? reject(error) : resolve(changes)));
      });
    });
  });
}

interface RawBackend {
  readonly name: string;
  readonly store: SessionStore;
  /** Replaces the stored bytes of `key` (which exists) with `text`, in one of the backend's layers. */
  write(key: string, text: string, layer: number): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteRaw(): RawBackend {
  const path = join(tempDir(), "sessions.db");
  const store = createSqliteStore({ path, purgeIntervalMs: 0 });
  return {
    name: "sqlite",
    store,
    async write(key, text, layer) {
      // Layer 0: Keyv's own entry is garbage. Layer 1: a valid Keyv entry around a garbage record.
      const value = layer % 2 === 0 ? text : JSON.stringify({ value: text, expires: null });
      if ((await sqliteRun(path, "UPDATE sessions SET value = ? WHERE key = ?", [value, key])) !== 1) {
        throw new Error(`no row at ${key}`);
      }
    },
    dispose: async () => store.close(),
  };
}

function fileRaw(): RawBackend {
  const path = join(tempDir(), "sessions.json");
  const store = createFileStore({ path });
  return {
    name: "file",
    store,
    async write(key, text, layer) {
      const document = JSON.parse(readFileSync(path, "utf8")) as { records: Record<string, { record: string }> };
      if (layer % 2 === 0) {
        document.records[key] = { record: text };
        writeFileSync(path, JSON.stringify(document));
      } else {
        // The whole file is not JSON, tokens raw inside it: the store moves it aside and says why.
        writeFileSync(path, `{"sessionstore":1,"records":{${JSON.stringify(key)}:{"record":${text}`);
      }
    },
    dispose: async () => store.close(),
  };
}

function redisRaw(): RawBackend {
  const namespace = uniqueName("redact");
  const store = createRedisStore({
    url: REDIS_URL,
    keyPrefix: namespace,
    connectTimeoutMs: 5_000,
    commandTimeoutMs: 5_000,
  });
  const admin = createClient({ url: REDIS_URL });
  admin.on("error", () => undefined);
  const connected = admin.connect();
  return {
    name: "redis",
    store,
    async write(key, text, layer) {
      await connected;
      const value = layer % 2 === 0 ? text : `{"value":${text}`;
      if ((await admin.set(`${namespace}:record:${key}`, value, { condition: "XX" })) !== "OK") {
        throw new Error(`no key ${key}`);
      }
    },
    async dispose() {
      await store.close();
      await connected;
      for await (const keys of admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
        if (keys.length > 0) await admin.del(keys);
      }
      admin.destroy();
    },
  };
}

describe("corrupt records written raw into real backends", () => {
  const opened: RawBackend[] = [];
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((backend) => backend.dispose()));
  });

  for (const make of [sqliteRaw, fileRaw, redisRaw]) {
    it(`${make.name.replace("Raw", "")}: get, list and the unheard legacy get never quote the record`, async () => {
      const backend = make();
      opened.push(backend);
      const manager = createSessionManager(backend.store, { namespace: uniqueName("ns").replace(/^rel-/, "") });
      await fc.assert(
        fc.asyncProperty(coreFirst, coreFirst, fc.nat(5), async (access, refresh, variant) => {
          await manager.set({ accessToken: "placeholder-access", expiresIn: 3600 }, "password");
          await backend.write(manager.keyFor("password"), corruptText(access, refresh, variant), variant);
          consoleLines.length = 0;
          const failure = await failureOf(manager.get("password"));
          expect((failure as { code?: string }).code).toMatch(/^ERR_(CORRUPT_RECORD|STORE_UNAVAILABLE)$/);
          const listed = await manager.list().catch((error: unknown) => error);
          const unheard = await new Promise((resolve) =>
            manager.get("password", (auth, error) => resolve(error ?? auth)),
          );
          expect(leaksOf([access, refresh], [failure, listed, unheard, ...consoleLines])).toEqual([]);
        }),
        { numRuns: 12, endOnFailure: true },
      );
    });
  }
});
