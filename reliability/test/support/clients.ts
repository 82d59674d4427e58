import { PlatformClient, type PlatformClientOptions } from "@sessionstore/client";
import type { SessionManager, SessionStore } from "@sessionstore/core";
import type { FakePlatform } from "@sessionstore/testkit/platform";

export const PASSWORD_AUTH = { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" } as const;
export const USER = { username: "demo", password: "demo-password" } as const;

/** A password-flow client of the fake platform over `sessionStore`, without refresh jitter. */
export function clientOn(
  server: FakePlatform,
  sessionStore: SessionManager | SessionStore,
  options: Partial<PlatformClientOptions> = {},
): PlatformClient {
  return new PlatformClient(PASSWORD_AUTH, {
    apiURL: server.url,
    sessionStore,
    refreshJitterMs: 0,
    tokenTimeoutMs: 2_000,
    lockWaitMs: 5_000,
    ...options,
  });
}

/** A client that signed in (its session is in the store). */
export async function signedInClient(
  server: FakePlatform,
  sessionStore: SessionManager | SessionStore,
  options: Partial<PlatformClientOptions> = {},
): Promise<PlatformClient> {
  const client = clientOn(server, sessionStore, options);
  await client.authenticateWithCredentials(USER.username, USER.password);
  return client;
}

/** Makes the stored session's access token expired (by its recorded expiry) without touching the pair. */
export async function expireStored(manager: SessionManager): Promise<void> {
  const stored = await manager.read("password");
  if (!stored) throw new Error("no stored session to expire");
  await manager.write(
    "password",
    { ...stored.auth, expiresAt: Date.now() - 1_000 },
    stored.fingerprint === undefined ? {} : { fingerprint: stored.fingerprint },
  );
}
