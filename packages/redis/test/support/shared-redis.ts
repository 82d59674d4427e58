import { createClient, type RedisClientType } from "@redis/client";

/** The shared Redis every adapter test uses; keys are namespaced per test and removed after. */
export const SHARED_REDIS_URL = "redis://127.0.0.1:6379";

/** A store namespace no other test, run or process uses. */
export function uniqueNamespace(label = "t"): string {
  return `ssr-${label}-${globalThis.crypto.randomUUID().slice(0, 13)}`;
}

/** A plain client for reading and writing raw keys behind the store's back. */
export type AdminClient = RedisClientType;

export async function connectAdmin(url = SHARED_REDIS_URL): Promise<AdminClient> {
  const client = createClient({ url });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Every raw key starting with `prefix` (literal; the prefixes used in tests hold no glob characters). */
export async function rawKeys(admin: AdminClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  return keys;
}

/** Removes every key of a store namespace. */
export async function dropNamespace(admin: AdminClient, namespace: string): Promise<void> {
  const keys = await rawKeys(admin, `${namespace}:`);
  if (keys.length > 0) await admin.unlink(keys);
}
