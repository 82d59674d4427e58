import { createClient, type RedisClientType } from "@redis/client";
import { afterAll, beforeAll } from "vitest";

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

/** Connections subscribed to a store namespace's change channel, as Redis counts them. */
export async function subscribers(admin: AdminClient, namespace: string): Promise<number> {
  const reply = (await admin.sendCommand(["PUBSUB", "NUMSUB", `${namespace}:changes`])) as [string, number];
  return Number(reply[1]);
}

/**
 * A real client whose store subscriber sends SUBSCRIBE only once `open()` is
 * called: a watch's first look that comes late, on demand.
 */
export async function clientWithHeldSubscribe(): Promise<{ client: AdminClient; open: () => void }> {
  const client = await connectAdmin();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const duplicate = client.duplicate.bind(client);
  Object.assign(client, {
    duplicate: () => {
      const subscriber = duplicate();
      const subscribe = subscriber.subscribe.bind(subscriber);
      return Object.assign(subscriber, {
        subscribe: async (...args: Parameters<typeof subscribe>) => {
          await gate;
          return subscribe(...args);
        },
      });
    },
  });
  return { client, open };
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

/** The admin client and what a suite made on the shared Redis, cleaned up after it. */
export interface SharedRedis {
  /** Connected before the suite's first test. */
  readonly admin: AdminClient;
  /** Namespaces whose keys are removed after the suite. */
  readonly namespaces: string[];
  /** Stores closed after the suite, before the namespaces are removed. */
  readonly stores: { close(): unknown }[];
}

/**
 * Registers the suite's beforeAll/afterAll: connect an admin client; afterwards
 * close the stores, remove the namespaces' keys, close the admin client.
 */
export function useSharedRedis(): SharedRedis {
  let admin: AdminClient | undefined;
  const namespaces: string[] = [];
  const stores: { close(): unknown }[] = [];
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    if (!admin) return;
    for (const namespace of namespaces) await dropNamespace(admin, namespace);
    await admin.close();
  });
  return {
    get admin() {
      if (!admin) throw new Error("the admin client connects in beforeAll: use it inside a test or hook");
      return admin;
    },
    namespaces,
    stores,
  };
}
