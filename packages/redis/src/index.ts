export type { RedisStoreClient, RedisStoreOptions } from "./options.js";
export { DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_NAMESPACE, DEFAULT_REDIS_URL } from "./options.js";
export type { RedisLockRelease, RedisStore } from "./redis-store.js";
export { createRedisStore } from "./redis-store.js";
