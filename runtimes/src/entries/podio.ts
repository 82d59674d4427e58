/**
 * The real podio-js 1.6.1 with a SessionManager over the file store as its
 * `sessionStore`: `signin` authenticates, `restore` (a new process) calls the
 * API on the stored session, `refresh` calls it after the platform expired the
 * token, so podio-js refreshes and writes the new pair through our store.
 */
import { createRequire } from "node:module";
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { report, setting } from "./env.js";

interface PodioInstance {
  authenticateWithCredentials(username: string, password: string, callback: (error: unknown) => void): void;
  isAuthenticated(): Promise<void>;
  request(method: string, path: string, data?: unknown): Promise<unknown>;
}
type PodioConstructor = new (
  auth: { authType: string; clientId: string; clientSecret: string },
  options: { sessionStore: unknown; apiURL: string },
) => PodioInstance;

// podio-js is CommonJS, loaded the way an ES-module app loads it.
const { api: Podio } = createRequire(import.meta.url)("podio-js") as { api: PodioConstructor };

const phase = setting("RUNTIME_PHASE");
const apiURL = setting("RUNTIME_API_URL");
const store = createFileStore({ path: setting("RUNTIME_CLIENT_PATH") });
const manager = createSessionManager(store, { subject: "podio" });
const podio = new Podio(
  { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
  { sessionStore: manager, apiURL },
);

let answer: unknown;
if (phase === "signin") {
  await new Promise<void>((resolve, reject) =>
    podio.authenticateWithCredentials("demo", "demo-password", (error) => (error === null ? resolve() : reject(error))),
  );
  answer = await podio.request("get", "/user/status");
} else if (phase === "restore") {
  await podio.isAuthenticated();
  answer = await podio.request("get", "/user/status");
} else if (phase === "refresh") {
  await podio.isAuthenticated();
  answer = await podio.request("get", "/items/3");
} else {
  throw new Error(`unknown RUNTIME_PHASE ${phase}`);
}
const stored = await manager.get("password");
await store.close();
report({ answer, storedAccessTokenLength: stored?.accessToken.length ?? 0 }, true);
