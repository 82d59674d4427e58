/**
 * The client as a user's script runs it, one phase per process (so "restore"
 * really is a new process): `signin` authenticates and calls the API,
 * `restore` calls the API on the stored session, `storm` fires 100 concurrent
 * requests with a token the platform now rejects as expired. The Node-side
 * test counts the fake platform's token calls between phases.
 */
import { PlatformClient } from "@sessionstore/client";
import { createSessionManager, type SessionStore } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { report, setting } from "./env.js";

const phase = setting("RUNTIME_PHASE");
const apiURL = setting("RUNTIME_API_URL");
const storeKind = setting("RUNTIME_CLIENT_STORE");
const path = setting("RUNTIME_CLIENT_PATH");

async function openStore(): Promise<SessionStore> {
  if (storeKind === "file") return createFileStore({ path });
  const { createSqliteStore } = await import("@sessionstore/sqlite");
  return createSqliteStore({ path });
}

const store = await openStore();
const client = new PlatformClient(
  { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
  { apiURL, sessionStore: createSessionManager(store), refreshJitterMs: 0 },
);

let answers: unknown[] = [];
if (phase === "signin") {
  await client.authenticateWithCredentials("demo", "demo-password");
  answers = [await client.request("GET", "/user/status")];
} else if (phase === "restore") {
  const restored = await client.isAuthenticated();
  answers = [restored, await client.request("GET", "/user/status")];
} else if (phase === "storm") {
  answers = await Promise.all(Array.from({ length: 100 }, (_, index) => client.request("GET", `/items/${index}`)));
} else {
  throw new Error(`unknown RUNTIME_PHASE ${phase}`);
}
await store.close();
report(answers, true);
