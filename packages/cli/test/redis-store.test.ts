import { randomUUID } from "node:crypto";
import { createRedisStore } from "@sessionstore/redis";
import { describeRealStore } from "./support/real-store-scenario.js";

const REDIS = "redis://127.0.0.1:6379";

describeRealStore("Redis (default key prefix)", async () => ({
  uri: REDIS,
  open: () => createRedisStore({ url: REDIS }),
  cleanup: async () => undefined,
}));

// The Redis store's own key prefix comes from ?prefix= in the URI.
const prefix = `cli-prefix-${randomUUID().slice(0, 8)}`;
describeRealStore("Redis (?prefix= key prefix)", async () => ({
  uri: `${REDIS}/0?prefix=${prefix}`,
  open: () => createRedisStore({ url: REDIS, keyPrefix: prefix }),
  cleanup: async () => undefined,
}));
