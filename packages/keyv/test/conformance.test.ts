import type { SessionStore } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { describeSessionStore, uniqueNamespace } from "@sessionstore/testkit";
import { closedPort } from "@sessionstore/testkit/support";
import Keyv from "keyv";
import { afterAll } from "vitest";
import { postgresKeyv, rawValue, uniqueTable } from "./support/postgres.js";

// A plain in-memory Keyv: the Map is kept per store so inspect/corrupt can reach it.
const maps = new WeakMap<SessionStore, Map<string, unknown>>();
const memoryNamespace = uniqueNamespace("mem");

describeSessionStore(
  "keyv (in-memory Keyv)",
  () => {
    const map = new Map<string, unknown>();
    const store = createKeyvStore(new Keyv(map, { namespace: memoryNamespace }));
    maps.set(store, map);
    return store;
  },
  {
    inspect: (store, key) => maps.get(store)?.get(`${memoryNamespace}:${key}`),
    corrupt: (store, key) => {
      maps.get(store)?.set(`${memoryNamespace}:${key}`, JSON.stringify({ value: '{"expiresAt":null,"record":{"v":1' }));
    },
  },
);

// PostgreSQL through @keyv/postgres: one table for this run, dropped afterwards.
const table = uniqueTable("conformance");
const namespace = uniqueNamespace("pg");
const { adapter, keyv } = postgresKeyv(table, namespace);
const storedKey = (key: string) => `${namespace}:${key}`;
afterAll(async () => {
  await adapter.query(`DROP TABLE IF EXISTS ${table}`);
});

describeSessionStore("keyv + @keyv/postgres", () => createKeyvStore({ keyv }), {
  inspect: (_store, key) => rawValue(adapter, table, storedKey(key)),
  corrupt: async (_store, key) => {
    await adapter.query(
      `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [storedKey(key), "garbage{ not json"],
    );
  },
  unavailable: async () => {
    const dead = postgresKeyv(
      uniqueTable("down"),
      "down",
      `postgresql://postgres@127.0.0.1:${await closedPort()}/test`,
    );
    return createKeyvStore({ keyv: dead.keyv });
  },
});

// The same, with a Redis store as its lock: the locking concern runs too.
const lockedNamespace = uniqueNamespace("pglock");
const locked = postgresKeyv(table, lockedNamespace);
const lockStores: SessionStore[] = [];
afterAll(async () => {
  for (const store of lockStores.splice(0)) await store.close();
});
describeSessionStore("keyv + @keyv/postgres + a redis lock", () => {
  const lock = createRedisStore({ url: "redis://127.0.0.1:6379", keyPrefix: uniqueNamespace("keyv-lock") });
  lockStores.push(lock);
  return createKeyvStore(locked.keyv, { lock });
});
