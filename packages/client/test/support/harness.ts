import {
  createMemoryStore,
  createSessionManager,
  type JsonObject,
  type SessionManager,
  type SessionStore,
} from "@sessionstore/core";
import { type FakePlatform, type FakePlatformOptions, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterEach } from "vitest";
import { type PlatformAuthOptions, PlatformClient, type PlatformClientOptions } from "../../src/index.js";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake platform closed after the test. */
export async function platform(options: FakePlatformOptions = {}): Promise<FakePlatform> {
  const started = await startFakePlatform(options);
  cleanups.push(() => started.close());
  return started;
}

export const PASSWORD_AUTH: PlatformAuthOptions = {
  authType: "password",
  clientId: "demo-client",
  clientSecret: "demo-secret",
};

/** A test clock starting now. */
export function testClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A client on `server`, with a fresh memory-store manager unless one is given. */
export function makeClient(
  server: FakePlatform,
  options: Partial<PlatformClientOptions> = {},
  auth: PlatformAuthOptions = PASSWORD_AUTH,
): PlatformClient {
  return new PlatformClient(auth, {
    apiURL: server.url,
    sessionStore: createSessionManager(createMemoryStore()),
    refreshJitterMs: 0,
    ...options,
  });
}

/** A memory store that logs every write and delete, in order, beside whatever the test logs. */
export function recordingStore(log: string[]): SessionStore {
  const inner = createMemoryStore();
  return {
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    async set(key: string, record: JsonObject, options) {
      await inner.set(key, record, options);
      log.push("store:set");
    },
    async delete(key) {
      const removed = await inner.delete(key);
      log.push("store:delete");
      return removed;
    },
    lock: (key, options) => inner.lock(key, options),
    list: (prefix) => inner.list(prefix),
    close: () => inner.close(),
  };
}

/** Every token value the manager holds now (for leak checks). */
export async function tokensIn(manager: SessionManager, authType: "password" | "app" = "password"): Promise<string[]> {
  const auth = await manager.get(authType);
  return [auth?.accessToken, auth?.refreshToken].filter((value): value is string => typeof value === "string");
}
