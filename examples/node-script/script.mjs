// A script run again and again (cron job, CI step, CLI): it signs in once, then
// every later run restores the session from SQLite and makes no token call.
// It prints what happened, never a token value. Run it twice: `pnpm start`.
// #region reuse
import { PlatformClient } from "@sessionstore/client";
import { createSqliteStore } from "@sessionstore/sqlite";
import { platformURL, stopPlatform, tokenCalls } from "./platform.mjs"; // PLATFORM_URL, or a fake platform

const { env } = process;
const store = createSqliteStore({ path: ".sessionstore/sessions.db" });
const client = new PlatformClient(
  { authType: "password", clientId: "demo-client", clientSecret: env.PLATFORM_CLIENT_SECRET ?? "demo-secret" },
  { apiURL: await platformURL(), sessionStore: store },
);
const restored = await client.isAuthenticated(); // true on every run after the first
if (!restored) {
  await client.authenticateWithCredentials(env.PLATFORM_USERNAME ?? "demo", env.PLATFORM_PASSWORD ?? "demo-password");
}
const status = await client.request("GET", "/user/status");
// #endregion reuse

try {
  console.log(`session: ${restored ? "restored from the store, no sign-in" : "signed in, saved to the store"}`);
  console.log(`user: ${status.user?.username}`);
  if (tokenCalls() !== undefined) console.log(`token calls: ${tokenCalls()}`);
  const session = await client.session();
  if (session?.expiresAt) console.log(`expires: ${new Date(session.expiresAt).toISOString()}`);
} finally {
  await store.close();
  await stopPlatform();
}
