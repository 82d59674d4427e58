// Starts the app: sessions in Redis, one PlatformClient per user (subject = user id).
// Stop it (Ctrl-C) and start it again: signed-in users stay signed in, and no
// token is requested again, because their sessions are read back from Redis.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSessionManager } from "@sessionstore/core";
import { createRedisStore } from "@sessionstore/redis";
import { startFakePlatform } from "@sessionstore/testkit/platform";
import { createApp } from "./app.mjs";

const env = process.env;
const dir = ".sessionstore";
mkdirSync(dir, { recursive: true, mode: 0o700 });

/** A secret kept in `.sessionstore/<name>` unless given, so a restart keeps it. */
function persistentSecret(name, given) {
  if (given) return given;
  const path = `${dir}/${name}`;
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(path, "utf8").trim();
}

// Without PLATFORM_URL: an embedded fake platform with users alice and bob, on a
// fixed port with its key and state on disk, so tokens survive a restart of the app.
const platform = env.PLATFORM_URL
  ? undefined
  : await startFakePlatform({
      port: Number(env.FAKE_PLATFORM_PORT ?? 4010),
      signingKey: persistentSecret("platform.key"),
      stateFile: `${dir}/platform.json`,
      users: { alice: "alice-password", bob: "bob-password" },
    });

const store = createRedisStore({
  url: env.REDIS_URL ?? "redis://127.0.0.1:6379",
  keyPrefix: env.REDIS_PREFIX ?? "sessionstore",
});
const sessions = createSessionManager(store, { namespace: "example-app" });
const handle = createApp({
  sessions,
  apiURL: env.PLATFORM_URL ?? platform.url,
  oauth: {
    clientId: env.PLATFORM_CLIENT_ID ?? "demo-client",
    clientSecret: env.PLATFORM_CLIENT_SECRET ?? "demo-secret",
  },
  secret: persistentSecret("cookie.key", env.APP_SECRET),
  adminToken: env.ADMIN_TOKEN,
});

const server = createServer((req, res) => void handle(req, res));
server.listen(Number(env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

async function shutdown() {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  await platform?.close();
  console.log("stopped");
}
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void shutdown());
