/**
 * A Cloudflare Worker as a user writes one: core + client + the memory store,
 * made once per isolate (module scope) so every request after the first uses
 * the cached token. The platform URL comes from the Worker's `env`.
 */
import { PlatformClient } from "@sessionstore/client";
import { createMemoryStore, createSessionManager } from "@sessionstore/core";

interface Env {
  readonly API_URL: string;
}

let client: PlatformClient | undefined;

function clientFor(env: Env): PlatformClient {
  client ??= new PlatformClient(
    { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
    { apiURL: env.API_URL, sessionStore: createSessionManager(createMemoryStore()), refreshJitterMs: 0 },
  );
  return client;
}

async function answer(path: string, env: Env): Promise<unknown> {
  const platform = clientFor(env);
  if (path === "/signin") return platform.authenticateWithCredentials("demo", "demo-password");
  if (path === "/status") return platform.request("GET", "/user/status");
  if (path === "/storm") {
    return Promise.all(Array.from({ length: 50 }, (_, index) => platform.request("GET", `/items/${index}`)));
  }
  return { error: `no route ${path}` };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return Response.json({ ok: true, value: await answer(new URL(request.url).pathname, env) });
    } catch (error) {
      const { name, message, code } = error as { name?: string; message?: string; code?: string };
      return Response.json({ ok: false, error: { name, message, code } }, { status: 500 });
    }
  },
};
