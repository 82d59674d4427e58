/**
 * `@sessionstore/local-storage` on the runtime's own `localStorage` (Deno has
 * one, persisted per `--location` origin): `signin` authenticates through the
 * client, `restore` (a new process) calls the API on what the first process
 * stored. `probe` only tries to create the store and reports the outcome, for
 * runtimes without `localStorage`.
 */
import { PlatformClient } from "@sessionstore/client";
import { createSessionManager } from "@sessionstore/core";
import { createLocalStorageStore } from "@sessionstore/local-storage";
import { report, setting } from "./env.js";

const phase = setting("RUNTIME_PHASE");

if (phase === "probe") {
  try {
    const store = createLocalStorageStore();
    await store.close();
    report({ created: true }, true);
  } catch (error) {
    const { name, message, code } = error as { name?: string; message?: string; code?: string };
    report({ created: false, error: { name, message, code } }, true);
  }
}

const store = createLocalStorageStore();
const client = new PlatformClient(
  { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
  { apiURL: setting("RUNTIME_API_URL"), sessionStore: createSessionManager(store), refreshJitterMs: 0 },
);
// Deno has no Web Locks: the store declares no lock and the client must say so.
const warnings: string[] = [];
client.on("warning", (warning) => warnings.push(warning.code));
let answer: unknown;
if (phase === "signin") {
  await client.authenticateWithCredentials("demo", "demo-password");
  answer = await client.request("GET", "/user/status");
} else if (phase === "restore") {
  answer = [await client.isAuthenticated(), await client.request("GET", "/user/status")];
} else {
  throw new Error(`unknown RUNTIME_PHASE ${phase}`);
}
await store.close();
report({ answer, capabilities: store.capabilities, warnings, keys: localStorage.length }, true);
