import type { PlatformClient } from "@sessionstore/client";
import { createSessionManager, type SessionStore } from "@sessionstore/core";
import type { FakePlatform } from "@sessionstore/testkit/platform";
import { makeClient } from "./harness.js";

/**
 * Two processes sharing one session, as the watch tests need them: it is signed
 * in through `otherStore`; `other` runs its clock 59.5 minutes ahead, so its next
 * call refreshes the hour-long token (the follower's does not); `follower` is a
 * client on `followerStore`, made last, so it restores that session.
 */
export async function otherAndFollower(
  server: FakePlatform,
  otherStore: SessionStore,
  followerStore: SessionStore,
): Promise<{ other: PlatformClient; follower: PlatformClient }> {
  await makeClient(server, { sessionStore: createSessionManager(otherStore) }).authenticateWithCredentials(
    "demo",
    "demo-password",
  );
  const other = makeClient(server, {
    sessionStore: createSessionManager(otherStore),
    now: () => Date.now() + 3_570_000,
  });
  const follower = makeClient(server, { sessionStore: createSessionManager(followerStore) });
  return { other, follower };
}
