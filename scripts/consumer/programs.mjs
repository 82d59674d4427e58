// Small programs test-consumer.mjs writes into the scratch apps and runs there.

export const ESM = `
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { PlatformClient } from "@sessionstore/client";
import { startFakePlatform } from "@sessionstore/testkit/platform";
const platform = await startFakePlatform();
const store = createFileStore({ path: "data/sessions.json" });
const client = new PlatformClient(
  { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
  { apiURL: platform.url, sessionStore: store },
);
await client.authenticateWithCredentials("demo", "demo-password");
const status = await client.request("GET", "/user/status");
const manager = createSessionManager(store);
const listed = await manager.list();
await store.close();
await platform.close();
console.log(JSON.stringify({ user: status.user?.username, sessions: listed.length }));
`;

export const CJS = `
const { createSessionManager, createMemoryStore } = require("@sessionstore/core");
const { createFileStore } = require("@sessionstore/file");
const { startFakePlatform } = require("@sessionstore/testkit/platform");
let suite;
try { require("@sessionstore/testkit"); suite = "loaded"; } catch (error) { suite = error.code + ": " + error.message; }
(async () => {
  const manager = createSessionManager(createMemoryStore(), { namespace: "cjs" });
  await manager.forSubject("alice").write("password", { accessToken: "a" });
  const platform = await startFakePlatform();
  await platform.close();
  console.log(JSON.stringify({ read: (await manager.forSubject("alice").read("password")).auth.accessToken, suite, file: typeof createFileStore }));
})();
`;

export const TS = `
import { createSessionManager, type SessionStore, SessionStoreError } from "@sessionstore/core";
import { createFileStore, type FileStoreOptions } from "@sessionstore/file";
import { PlatformClient } from "@sessionstore/client";
import { startFakePlatform } from "@sessionstore/testkit/platform";
const options: FileStoreOptions = { path: "data/ts.json", readOnly: false };
const store: SessionStore = createFileStore(options);
const manager = createSessionManager(store, { namespace: "ts" });
export const checks: [typeof PlatformClient, typeof startFakePlatform, boolean] = [PlatformClient, startFakePlatform, manager.namespace === "ts" && new SessionStoreError("ERR_UNSUPPORTED", "x").code === "ERR_UNSUPPORTED"];
`;

export const MANY = `
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
const manager = createSessionManager(createFileStore({ path: "data/many.json" }), { namespace: "many" });
await Promise.all(Array.from({ length: 1500 }, (_, i) => manager.forSubject("user-" + i).write("password", { accessToken: "t" + i })));
await manager.close();
`;

// One session already expired: a purge on open would delete it and change the file.
export const SQLITE = `
import { createSessionManager } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
const store = createSqliteStore({ path: process.argv[2] });
const manager = createSessionManager(store, { namespace: "sq" });
await manager.forSubject("alice").write("password", { accessToken: "a", refreshToken: "r", expiresIn: 3600 });
await manager.forSubject("bob").write("password", { accessToken: "b", refreshToken: "r", expiresIn: 3600 });
await store.set("sq:old:app", { v: 1 }, { expiresAt: Date.now() + 300 });
await new Promise((resolve) => setTimeout(resolve, 400));
await store.close();
`;

// Runs docs/getting-started.md's script twice against the fake platform: the second run makes no token call.
export const GETTING_STARTED_RUNNER = `
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startFakePlatform } from "@sessionstore/testkit/platform";
const platform = await startFakePlatform();
const env = { ...process.env, PLATFORM_URL: platform.url, PLATFORM_CLIENT_ID: "demo-client", PLATFORM_CLIENT_SECRET: "demo-secret", PLATFORM_USERNAME: "demo", PLATFORM_PASSWORD: "demo-password" };
const outputs = [];
const calls = [];
for (let run = 0; run < 2; run += 1) {
  // Asynchronously: the platform answers from this same event loop.
  outputs.push((await promisify(execFile)(process.execPath, ["getting-started.mjs"], { env })).stdout.trim());
  calls.push(platform.stats.tokenCalls);
}
await platform.close();
console.log(JSON.stringify({ outputs, calls }));
`;
