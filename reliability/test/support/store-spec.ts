import type { SessionStore } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";

export const REDIS_URL = "redis://127.0.0.1:6379";

/** What a child process needs to open the same backend. */
export type StoreSpec =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "redis"; readonly url: string; readonly namespace: string };

/** Opens a store from its spec (in tests and in child processes). */
export function openStore(spec: StoreSpec): SessionStore {
  if (spec.kind === "file") return createFileStore({ path: spec.path });
  if (spec.kind === "sqlite") return createSqliteStore({ path: spec.path, purgeIntervalMs: 0 });
  return createRedisStore({
    url: spec.url,
    keyPrefix: spec.namespace,
    connectTimeoutMs: 2_000,
    commandTimeoutMs: 2_000,
  });
}
