import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvPostgres from "@keyv/postgres";
import { createClient } from "@redis/client";
import type { SessionStore } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import Keyv from "keyv";
import pg from "pg";
import sqlite3 from "sqlite3";
import { openStore, REDIS_URL, type StoreSpec } from "./store-spec.js";

export { REDIS_URL, type StoreSpec } from "./store-spec.js";

export const POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";

/** A name no other run uses: letters, digits and `-` (valid as a Redis and session namespace). */
export function uniqueName(label: string): string {
  return `rel-${label}-${globalThis.crypto.randomUUID().slice(0, 13)}`;
}

/** One real backend, and a way to write bytes into it behind the store's back. */
export interface Backend {
  readonly name: "file" | "sqlite" | "redis" | "keyv-postgres";
  /** Set for the backends a child process can open (every one with a cross-process lock). */
  readonly spec: StoreSpec | undefined;
  /** A new store instance over the backend (closed by `dispose`). */
  open(): SessionStore;
  /**
   * Replaces the raw value the backend holds for the store key `key` (which must
   * exist) with `garbage` bytes, or with valid JSON that is not the backend's
   * own envelope (`wrong-shape`).
   */
  corrupt(key: string, kind: "garbage" | "wrong-shape"): Promise<void>;
  dispose(): Promise<void>;
}

function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `sessionstore-rel-${label}-`));
}

/**
 * A backend a child process can open too: every store `open` made is closed
 * by `dispose`, then `cleanUp` removes what the backend held.
 */
function trackedBackend(
  name: "file" | "sqlite" | "redis",
  spec: StoreSpec,
  corrupt: Backend["corrupt"],
  cleanUp: () => Promise<void>,
): Backend {
  const stores: SessionStore[] = [];
  return {
    name,
    spec,
    open() {
      const store = openStore(spec);
      stores.push(store);
      return store;
    },
    corrupt,
    async dispose() {
      await Promise.allSettled(stores.map(async (store) => store.close()));
      await cleanUp();
    },
  };
}

function fileBackend(): Backend {
  const dir = tempDir("file");
  const spec = { kind: "file", path: join(dir, "sessions.json") } as const;
  return trackedBackend(
    "file",
    spec,
    async (key, kind) => {
      const document = JSON.parse(readFileSync(spec.path, "utf8")) as { records: Record<string, unknown> };
      if (!(key in document.records)) throw new Error(`no record at ${key}`);
      document.records[key] = kind === "garbage" ? { record: "\u0000\u00ff{not json" } : { record: 42, note: "x" };
      // A new inode, as every writer of this file makes: the store notices by its stat signature.
      const temp = `${spec.path}.edit`;
      writeFileSync(temp, JSON.stringify(document));
      renameSync(temp, spec.path);
    },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
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

function sqliteBackend(): Backend {
  const dir = tempDir("sqlite");
  const spec = { kind: "sqlite", path: join(dir, "sessions.db") } as const;
  return trackedBackend(
    "sqlite",
    spec,
    async (key, kind) => {
      const value = kind === "garbage" ? "\u0001\u00ff{not json" : '{"value":{"not":"an envelope"}}';
      const changed = await sqliteRun(spec.path, "UPDATE sessions SET value = ? WHERE key = ?", [value, key]);
      if (changed !== 1) throw new Error(`no row at ${key}`);
    },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}

function redisBackend(): Backend {
  const namespace = uniqueName("redis");
  const spec: StoreSpec = { kind: "redis", url: REDIS_URL, namespace };
  const connectAdmin = async () => {
    const admin = createClient({ url: REDIS_URL });
    admin.on("error", () => undefined);
    await admin.connect();
    return admin;
  };
  const withAdmin = async <T>(run: (admin: Awaited<ReturnType<typeof connectAdmin>>) => Promise<T>): Promise<T> => {
    const admin = await connectAdmin();
    try {
      return await run(admin);
    } finally {
      admin.destroy();
    }
  };
  return trackedBackend(
    "redis",
    spec,
    async (key, kind) => {
      const rawKey = `${namespace}:record:${key}`;
      const value = kind === "garbage" ? "\u0001\u00ff{not json" : '{"value":"a string, not a record"}';
      const written = await withAdmin((admin) => admin.set(rawKey, value, { condition: "XX" }));
      if (written !== "OK") throw new Error(`no key ${rawKey}`);
    },
    () =>
      withAdmin(async (admin) => {
        for await (const keys of admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
          if (keys.length > 0) await admin.del(keys);
        }
      }),
  );
}

function keyvPostgresBackend(): Backend {
  const table = `rel_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const namespace = uniqueName("kv");
  // @keyv/postgres keeps one pool per URI in a module global: one adapter for the whole file.
  const adapter = new KeyvPostgres({
    uri: POSTGRES_URL,
    table,
    keySize: 2048,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 1_000,
    allowExitOnIdle: true,
  });
  const keyv = new Keyv(adapter, { namespace });
  const query = async (sql: string, parameters: unknown[]) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      return await client.query(sql, parameters);
    } finally {
      await client.end();
    }
  };
  return {
    name: "keyv-postgres",
    spec: undefined,
    open: () => createKeyvStore({ keyv }),
    async corrupt(key, kind) {
      const value = kind === "garbage" ? "\u0001\u00ff{not json" : '{"value":{"not":"text"},"expires":null}';
      const result = await query(`UPDATE ${table} SET value = $1 WHERE key = $2`, [value, `${namespace}:${key}`]);
      if (result.rowCount !== 1) throw new Error(`no row at ${key}`);
    },
    async dispose() {
      await query(`DROP TABLE IF EXISTS ${table}`, []);
    },
  };
}

/** Every real backend with a store, fresh (own temp dir, Redis namespace, PostgreSQL table). */
export function allBackends(): Backend[] {
  return [fileBackend(), sqliteBackend(), redisBackend(), keyvPostgresBackend()];
}

/** The backends whose store locks across processes (file, SQLite, Redis). */
export function lockingBackends(): Backend[] {
  return [fileBackend(), sqliteBackend(), redisBackend()];
}
