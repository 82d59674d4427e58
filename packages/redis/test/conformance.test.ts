import { createRedisStore, type RedisStore } from "@sessionstore/redis";
import { describeSessionStore } from "@sessionstore/testkit";
import { sparePort } from "./support/redis-server.js";
import { SHARED_REDIS_URL, uniqueNamespace, useSharedRedis } from "./support/shared-redis.js";

const redis = useSharedRedis();

function freshStore(): RedisStore {
  const namespace = uniqueNamespace("conf");
  redis.namespaces.push(namespace);
  return createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: namespace });
}

const rawKey = (store: unknown, key: string) => `${(store as RedisStore).namespace}:record:${key}`;

describeSessionStore("redis", freshStore, {
  // Another instance on the same namespace, as another process would open it.
  openPeer: (store) => createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: (store as RedisStore).keyPrefix }),
  async inspect(store, key) {
    return (await redis.admin.get(rawKey(store, key))) ?? undefined;
  },
  async corrupt(store, key) {
    await redis.admin.set(rawKey(store, key), '{"value": {"truncated": ');
  },
  async unavailable() {
    // A port nothing listens on: connections are refused at once.
    return createRedisStore({
      url: `redis://127.0.0.1:${await sparePort()}`,
      keyPrefix: uniqueNamespace("down"),
      connectTimeoutMs: 300,
      commandTimeoutMs: 300,
    });
  },
});
