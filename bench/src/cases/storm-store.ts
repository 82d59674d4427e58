import type { SessionStore } from "@sessionstore/core";
import { REDIS_URL } from "../fixtures.js";

/** Stores with a cross-process lock that the multi-process storm runs on. */
export type StormStoreKind = "sqlite" | "file" | "redis";

/** What a storm worker tells the parent. */
export type WorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly ok: number; readonly failed: number; readonly errors: string[] };

/** Opens the shared store: `location` is a file path, or the Redis namespace. Packages load on demand. */
export async function openStormStore(kind: StormStoreKind, location: string): Promise<SessionStore> {
  if (kind === "sqlite") return (await import("@sessionstore/sqlite")).createSqliteStore({ path: location });
  if (kind === "file") return (await import("@sessionstore/file")).createFileStore({ path: location });
  return (await import("@sessionstore/redis")).createRedisStore({ url: REDIS_URL, keyPrefix: location });
}

/** The code of a SessionStoreError / PlatformApiError, else the message: what a report may show (never a token). */
export function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}
