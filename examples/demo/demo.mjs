// The README demo. Run it twice: run 1 authenticates, run 2 restores the cached
// session from SQLite and makes zero token calls; every run then shows an
// expired token being refreshed exactly once for several concurrent calls.
// It prints what happened, never a token value.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { PlatformClient } from "@sessionstore/client";
import { createSqliteStore } from "@sessionstore/sqlite";
import { startFakePlatform } from "@sessionstore/testkit/platform";

const dataDir = resolve(process.env.SESSIONSTORE_DEMO_DIR ?? ".sessionstore");
const dbPath = resolve(dataDir, "demo.db");
mkdirSync(dataDir, { recursive: true, mode: 0o700 });

// The embedded platform signs its tokens with a key kept beside the session
// database, so tokens issued by an earlier run are still accepted.
function platformKey() {
  const keyPath = resolve(dataDir, "demo-platform.key");
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32).toString("base64"), { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  return readFileSync(keyPath, "utf8").trim();
}

// The session is bound to the token URL (its fingerprint), so the embedded
// platform comes back on the port it had last time when that port is free.
async function embeddedPlatform() {
  const portPath = resolve(dataDir, "demo-platform.port");
  const options = { signingKey: platformKey(), stateFile: resolve(dataDir, "demo-platform.json") };
  const previous = existsSync(portPath) ? Number(readFileSync(portPath, "utf8")) : 0;
  let started;
  try {
    started = await startFakePlatform({ ...options, port: previous });
  } catch {
    started = await startFakePlatform(options);
  }
  writeFileSync(portPath, String(started.port));
  return started;
}

const external = process.env.PLATFORM_URL || undefined;
const platform = external ? undefined : await embeddedPlatform();
const apiURL = external ?? platform.url;
const tokenCalls = () => platform?.stats.tokenCalls ?? Number.NaN;

function expiry(expiresAt) {
  if (expiresAt === undefined) return "unknown";
  const minutes = Math.round((expiresAt - Date.now()) / 60_000);
  return `${new Date(expiresAt).toISOString()} (in ${minutes} min)`;
}

const store = createSqliteStore({ path: dbPath });
const client = new PlatformClient(
  {
    authType: "password",
    clientId: process.env.PLATFORM_CLIENT_ID ?? "demo-client",
    clientSecret: process.env.PLATFORM_CLIENT_SECRET ?? "demo-secret",
  },
  { sessionStore: store, apiURL },
);

try {
  console.log(`platform:      ${external ? external : `embedded fake platform at ${apiURL}`}`);
  console.log(`session store: SQLite ${dbPath}`);
  await client.ready;
  const before = tokenCalls();
  if (await client.isAuthenticated()) {
    console.log("session:       restored from the store (no sign-in needed)");
  } else {
    await client.authenticateWithCredentials(
      process.env.PLATFORM_USERNAME ?? "demo",
      process.env.PLATFORM_PASSWORD ?? "demo-password",
    );
    console.log("session:       signed in with username and password, saved to the store");
  }
  const status = await client.request("GET", "/user/status");
  console.log(`API call:      GET /user/status -> user ${status.user?.username ?? "?"}`);
  console.log(`token calls:   ${tokenCalls() - before} for this start`);

  if (platform) {
    platform.expireAccessTokens();
    const beforeRefresh = tokenCalls();
    const items = await Promise.all([1, 2, 3, 4, 5].map((id) => client.request("GET", `/items/${id}`)));
    console.log(
      `expired token: ${items.length} concurrent calls succeeded after ${tokenCalls() - beforeRefresh} refresh (token call)`,
    );
  }
  const session = await client.session?.();
  if (session) console.log(`expires:       ${expiry(session.expiresAt)}`);
  console.log("\nRun `pnpm demo` again: the next start restores the session with 0 token calls.");
} finally {
  await store.close();
  await platform?.close();
}
