import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SessionStore } from "@sessionstore/core";
import { createMemoryStore } from "@sessionstore/core";

/** A Node store backend the client and podio-js are tested with; `open` may be called several times (same backend). */
export interface StoreBackend {
  readonly name: string;
  /** A new store instance over the shared backend. */
  open(): Promise<SessionStore>;
  /** For child processes: how to open the same backend there. */
  readonly spec: StoreSpec;
  /** Closes what was opened and removes what the tests wrote (temp dirs, Redis keys). */
  cleanup(): Promise<void>;
}

/** What a child process needs to open the same backend. */
export type StoreSpec =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "redis"; readonly url: string; readonly namespace: string }
  | {
      /** Keyv over @keyv/postgres (no lock of its own), locking through a Redis store. */
      readonly kind: "keyv-postgres-redis-lock";
      readonly table: string;
      readonly namespace: string;
      readonly lockURL: string;
      readonly lockNamespace: string;
    };

/** Opens a store from its spec (used in tests and in forked workers). */
export async function openStore(spec: StoreSpec): Promise<SessionStore> {
  if (spec.kind === "file") {
    const { createFileStore } = await import("../../../file/src/index.js");
    return createFileStore({ path: spec.path });
  }
  if (spec.kind === "keyv-postgres-redis-lock") return openLockedKeyv(spec);
  if (spec.kind === "redis") {
    const { createRedisStore } = await import("../../../redis/src/index.js");
    return createRedisStore({ url: spec.url, keyPrefix: spec.namespace });
  }
  const { createSqliteStore } = await import("../../../sqlite/src/index.js");
  return createSqliteStore({ path: spec.path });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sessionstore-client-"));
}

/** Every cross-process Node store: file, SQLite, Redis (at 127.0.0.1:6379). */
export function crossProcessBackends(): StoreBackend[] {
  const backends: StoreBackend[] = [];
  const add = (name: string, spec: StoreSpec, dir?: string) => {
    const opened: SessionStore[] = [];
    backends.push({
      name,
      spec,
      async open() {
        const store = await openStore(spec);
        opened.push(store);
        return store;
      },
      async cleanup() {
        // The temp directory goes even when closing a store or deleting keys fails.
        try {
          const [first] = opened;
          if (first && spec.kind === "redis" && first.list) {
            for (const key of await first.list("")) await first.delete(key);
          }
          for (const store of opened.splice(0)) await store.close();
        } finally {
          if (dir) rmSync(dir, { recursive: true, force: true });
        }
      },
    });
  };
  const fileDir = tempDir();
  add("file", { kind: "file", path: join(fileDir, "sessions.json") }, fileDir);
  const sqliteDir = tempDir();
  add("sqlite", { kind: "sqlite", path: join(sqliteDir, "sessions.db") }, sqliteDir);
  add("redis", {
    kind: "redis",
    url: "redis://127.0.0.1:6379",
    namespace: `client-test-${randomBytes(6).toString("hex")}`,
  });
  return backends;
}

/** The memory store as a backend (one instance shared: it lives in this process only). */
export function memoryBackend(): StoreBackend {
  const store = createMemoryStore();
  return {
    name: "memory",
    spec: { kind: "file", path: "" },
    open: async () => store,
    cleanup: async () => undefined,
  };
}

/** Runs `body` with a fresh backend of that name (file, sqlite, redis), cleaning every backend made, also on failure. */
export async function withBackend<T>(name: string, body: (backend: StoreBackend) => Promise<T>): Promise<T> {
  const all = crossProcessBackends();
  const backend = all.find((candidate) => candidate.name === name);
  try {
    if (!backend) throw new Error(`no backend named ${name}`);
    return await body(backend);
  } finally {
    for (const each of all) await each.cleanup();
  }
}

/** A Keyv + @keyv/postgres store with a Redis store as its lock; closing it closes both. */
async function openLockedKeyv(spec: Extract<StoreSpec, { kind: "keyv-postgres-redis-lock" }>): Promise<SessionStore> {
  const [{ createKeyvStore }, { postgresKeyv }, { createRedisStore }] = await Promise.all([
    import("../../../keyv/src/index.js"),
    import("../../../keyv/test/support/postgres.js"),
    import("../../../redis/src/index.js"),
  ]);
  const lock = createRedisStore({ url: spec.lockURL, keyPrefix: spec.lockNamespace });
  const store = createKeyvStore(postgresKeyv(spec.table, spec.namespace).keyv, { lock });
  const closeKeyv = store.close.bind(store);
  store.close = async () => {
    await closeKeyv();
    await lock.close();
  };
  return store;
}

/** Keyv over PostgreSQL (@keyv/postgres) with a Redis store as its cross-process lock. */
export function lockedKeyvBackend(): StoreBackend {
  const id = randomBytes(6).toString("hex");
  const spec: StoreSpec = {
    kind: "keyv-postgres-redis-lock",
    table: `sessionstore_client_${id}`,
    namespace: `client-${id}`,
    lockURL: "redis://127.0.0.1:6379",
    lockNamespace: `client-lock-${id}`,
  };
  const opened: SessionStore[] = [];
  return {
    name: "keyv (@keyv/postgres) + redis lock",
    spec,
    async open() {
      const store = await openStore(spec);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened.splice(0)) await store.close();
      const { postgresKeyv } = await import("../../../keyv/test/support/postgres.js");
      const { adapter } = postgresKeyv(spec.table, spec.namespace);
      await adapter.query(`DROP TABLE IF EXISTS ${spec.table}`);
    },
  };
}
