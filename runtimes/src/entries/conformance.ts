/**
 * Runs the SessionStore conformance suite (the same source vitest runs in
 * Node) inside Bun or Deno against the stores listed in `RUNTIME_STORES`.
 * Bundled by the runtime tests with "vitest" pointing at the mini runner.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMemoryStore, type SessionStore } from "@sessionstore/core";
import { createFileStore, type FileStore } from "@sessionstore/file";
import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { describeSessionStore } from "@sessionstore/testkit";
import { runRegistered } from "../harness/mini-vitest.js";
import { report, setting } from "./env.js";

const stores = setting("RUNTIME_STORES").split(",");
const dir = setting("RUNTIME_TMP");
const closedPort = setting("RUNTIME_CLOSED_PORT");
const redisPrefix = setting("RUNTIME_REDIS_PREFIX");
// A regular file: nothing can ever be created below it.
const blocker = join(dir, "not-a-directory");
writeFileSync(blocker, "");

interface RawFile {
  records: Record<string, { record?: unknown }>;
}
const readRaw = (store: SessionStore): RawFile | undefined => {
  // Unreadable or absent: the suite then sees "nothing persisted".
  try {
    return JSON.parse(readFileSync((store as FileStore).path, "utf8")) as RawFile;
  } catch {
    return undefined;
  }
};

if (stores.includes("memory")) describeSessionStore("memory", () => createMemoryStore());

if (stores.includes("file")) {
  const path = join(dir, "sessions.json");
  describeSessionStore("file", () => createFileStore({ path }), {
    inspect: (store, key) => readRaw(store)?.records[key]?.record,
    corrupt: (store, key) => {
      const raw: RawFile = readRaw(store) ?? { records: {} };
      raw.records[key] = { record: '{"v":1,"auth":{"accessTo' };
      writeFileSync((store as FileStore).path, JSON.stringify(raw));
    },
    unavailable: () => createFileStore({ path: join(blocker, "sessions.json") }),
  });
}

if (stores.includes("sqlite")) {
  // Loaded only where asked for: a runtime without Node-API addons never imports it.
  const { createSqliteStore } = await import("@sessionstore/sqlite");
  const path = join(dir, "sessions.db");
  describeSessionStore("sqlite", () => createSqliteStore({ path }), {
    unavailable: () => createSqliteStore({ path: join(blocker, "sessions.db") }),
  });
}

if (stores.includes("redis")) {
  let count = 0;
  const namespace = () => {
    count += 1;
    return `${redisPrefix}-${count}`;
  };
  describeSessionStore("redis", () => createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: namespace() }), {
    // Another instance on the same namespace, as another process would open it.
    openPeer: (store) =>
      createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: (store as RedisStore).keyPrefix }),
    unavailable: () =>
      createRedisStore({
        url: `redis://127.0.0.1:${closedPort}`,
        keyPrefix: namespace(),
        connectTimeoutMs: 300,
        commandTimeoutMs: 300,
      }),
  });
}

// One table per run for each SQL store (the Node-side test drops them after).
if (stores.includes("postgres")) {
  const { createPostgresStore } = await import("@sessionstore/postgres");
  const table = setting("RUNTIME_SQL_TABLE");
  describeSessionStore(
    "postgres",
    () => createPostgresStore({ url: "postgresql://postgres@127.0.0.1:5432/test", table }),
    {
      unavailable: () =>
        createPostgresStore({
          url: `postgresql://postgres@127.0.0.1:${closedPort}/test`,
          table,
          connectTimeoutMs: 1000,
        }),
    },
  );
}

if (stores.includes("mysql")) {
  const { createMysqlStore } = await import("@sessionstore/mysql");
  const table = setting("RUNTIME_SQL_TABLE");
  describeSessionStore("mysql", () => createMysqlStore({ url: "mysql://root@127.0.0.1:3306/test", table }), {
    unavailable: () =>
      createMysqlStore({ url: `mysql://root@127.0.0.1:${closedPort}/test`, table, connectTimeoutMs: 1000 }),
  });
}

const results = await runRegistered();
report(results, results.length > 0 && results.every((result) => result.ok));
