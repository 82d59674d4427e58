// No token value (nor the client secret, the user's password or an encryption
// key) ever appears in what an application may log: error messages, stacks,
// causes, util.inspect, JSON.stringify, String(), emitted events, console
// output, or the inspected client, manager and stores. Every error path is
// driven: store errors of each backend, client errors (PlatformApiError, every
// refresh failure, invalid_grant), decrypt errors and invalid input.
// (packages/client/test/faults.test.ts checks the client's own paths on the
// memory store; packages/core/test/errors.test.ts the manager's.)
import { inspect } from "node:util";
import KeyvPostgres from "@keyv/postgres";
import { PlatformClient, type PlatformClientEvents } from "@sessionstore/client";
import {
  createMemoryStore,
  createSessionManager,
  generateEncryptionKey,
  type JsonObject,
  normalizeAuthObject,
  type SessionManager,
  type SessionStore,
  withEncryption,
} from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import { type FakePlatform, type Fault, startFakePlatform } from "@sessionstore/testkit/platform";
import Keyv from "keyv";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { allBackends, uniqueName } from "./support/backends.js";
import { clientOn, expireStored, signedInClient, USER } from "./support/clients.js";
import { sparePort } from "./support/redis-server.js";
import { type ScriptedPlatform, startScriptedPlatform } from "./support/scripted-platform.js";

const backends = allBackends();
let server: FakePlatform;
let scripted: ScriptedPlatform;
const KEY_A = generateEncryptionKey();
const KEY_B = generateEncryptionKey();
/** Every secret seen so far: tokens are added as the platform issues them. */
const secrets = new Set<string>(["demo-secret", USER.password, KEY_A, KEY_B]);
/** Everything an application could log, collected along the way. */
const exposed: unknown[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  [server, scripted] = await Promise.all([startFakePlatform(), startScriptedPlatform()]);
  for (const method of ["error", "warn", "info", "log", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((arg) => (typeof arg === "string" ? arg : inspect(arg, { depth: 10 }))).join(" "));
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.allSettled([server.close(), scripted.close(), ...backends.map((backend) => backend.dispose())]);
});

/** Every text form a logger could produce for `value`, causes included. */
function textsOf(value: unknown): string[] {
  const texts = [inspect(value, { depth: 12, showHidden: true }), String(value)];
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // Not serialisable (a cycle in a store object): inspect covers it.
  }
  for (let error = value, depth = 0; error instanceof Error && depth < 8; error = error.cause, depth += 1) {
    texts.push(error.message, error.stack ?? "");
  }
  return texts;
}

function expectNoSecret(values: unknown[]): void {
  const found: string[] = [];
  for (const value of values) {
    for (const text of textsOf(value)) {
      for (const secret of secrets)
        if (text.includes(secret)) found.push(`${secret.slice(0, 6)}… in ${text.slice(0, 160)}`);
    }
  }
  expect(found).toEqual([]);
}

/** Remembers the pair a manager holds now as secrets. */
async function learnTokens(manager: SessionManager): Promise<void> {
  const auth = await manager.get("password").catch(() => undefined);
  for (const value of [auth?.accessToken, auth?.refreshToken]) if (value) secrets.add(value);
}

/** Runs `call`, expects it to fail, keeps the error for the leak check. */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    exposed.push(error);
    return error;
  }
  throw new Error("expected a failure");
}

function watch(client: PlatformClient): void {
  for (const event of ["tokens", "refresh", "refreshFailed", "logout"] as const) {
    client.on(event, (payload: PlatformClientEvents[typeof event]) => exposed.push(payload));
  }
  exposed.push(client);
}

afterEach(() => {
  const values = [...exposed.splice(0), ...consoleLines.splice(0)];
  expectNoSecret(values);
});

describe("store error paths", () => {
  it("a backend down or unusable (Redis, PostgreSQL on a closed port; unwritable file and SQLite paths)", async () => {
    const port = await sparePort();
    const adapter = new KeyvPostgres({
      uri: `postgresql://postgres@127.0.0.1:${port}/test`,
      connectionTimeoutMillis: 500,
    });
    const down: SessionStore[] = [
      createRedisStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: uniqueName("down"), connectTimeoutMs: 300 }),
      createKeyvStore({ keyv: new Keyv(adapter, { namespace: "down" }) }),
      createFileStore({ path: "/dev/null/not-a-dir/sessions.json" }),
      createSqliteStore({ path: "/dev/null/not-a-dir/sessions.db" }),
    ];
    for (const store of down) {
      const manager = createSessionManager(store);
      manager.on("error", (error) => exposed.push(error));
      const auth = { accessToken: `at-down-${uniqueName("x")}`, refreshToken: `rt-down-${uniqueName("x")}` };
      secrets.add(auth.accessToken).add(auth.refreshToken);
      expect(await failure(() => manager.set(auth, "password"))).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      await failure(() => manager.get("password"));
      // podio-js's fire-and-forget logout: reported on 'error' (or console), never thrown.
      manager.set({}, "password");
      await new Promise<void>((resolve) => manager.get("password", () => resolve()));
      exposed.push(store, manager);
      await Promise.resolve(store.close()).catch(() => undefined);
    }
  }, 20_000);

  it("every real backend: invalid input, a closed store, corrupt records and decrypt errors", async () => {
    for (const backend of backends) {
      const raw = backend.open();
      const manager = createSessionManager(withEncryption(raw, { keys: { a: KEY_A }, activeKeyId: "a" }), {
        namespace: uniqueName("r"),
      });
      manager.on("error", (error) => exposed.push(error));
      const client = await signedInClient(server, manager);
      watch(client);
      await learnTokens(manager);
      const stored = (await raw.get(manager.keyFor("password"))) as JsonObject;

      // Invalid input that carries tokens.
      const token = `at-input-${uniqueName("x")}`;
      secrets.add(token);
      await failure(() => manager.set({ accessToken: token, expiresIn: "soon" }, "password"));
      await failure(() => manager.set({ accessToken: token, refreshToken: 12 }, "password"));
      await failure(() => manager.set({ access_token: token, scope: { no: token } }, "password"));
      await failure(() => manager.set({ accessToken: token, extra: () => token }, "password"));
      await failure(() => manager.set({ accessToken: token }, "implicit" as "password"));
      await failure(() => normalizeAuthObject({ accessToken: token, expires_at: Number.NaN }));

      // Wrong key, flipped bit, a foreign envelope: ERR_DECRYPT.
      const wrongKey = createSessionManager(withEncryption(raw, { keys: { a: KEY_B }, activeKeyId: "a" }), {
        namespace: manager.namespace,
      });
      await failure(() => wrongKey.get("password"));
      await failure(() => clientOn(server, wrongKey).request("GET", "/items/1"));
      // A changed first character (never the one it had: base64 text starts with "A" one time in 64).
      const ct = String(stored.ct);
      await raw.set(manager.keyFor("password"), { ...stored, ct: `${ct.startsWith("A") ? "B" : "A"}${ct.slice(1)}` });
      await failure(() => manager.get("password"));
      await raw.set(manager.keyFor("password"), { v: 1, auth: { accessToken: token }, updatedAt: 1 });
      await failure(() => manager.get("password"));

      // A corrupt record in the backend itself.
      await raw.set(manager.keyFor("password"), stored);
      await backend.corrupt(manager.keyFor("password"), "garbage");
      await failure(() => manager.get("password"));
      await failure(() => clientOn(server, manager).request("GET", "/items/1"));
      await manager.delete("password");

      exposed.push(raw, manager);
      if (backend.name !== "keyv-postgres") {
        await raw.close();
        await failure(() => manager.set({ accessToken: token }, "password"));
      }
    }
  }, 30_000);
});

describe("client error paths", () => {
  async function signedIn(): Promise<{ client: PlatformClient; manager: SessionManager }> {
    const manager = createSessionManager(createMemoryStore(), { namespace: uniqueName("c") });
    const client = await signedInClient(server, manager, { tokenTimeoutMs: 2_000 });
    watch(client);
    await learnTokens(manager);
    return { client, manager };
  }

  it("API errors, every refresh failure, invalid_grant, a lost rotation, logout", async () => {
    const { client, manager } = await signedIn();
    for (const status of [400, 401, 403, 404, 409, 429, 500, 503])
      await failure(() => client.request("GET", `/status/${status}`));
    await failure(() =>
      client.request("POST", "/items", { token: [...secrets][0] }).then(() => client.request("GET", "/status/418")),
    );
    const faults: Fault[] = [
      { kind: "status", status: 503 },
      { kind: "status", status: 400, grant: "refresh_token" },
      { kind: "hang" },
      { kind: "reset" },
    ];
    for (const fault of faults) {
      await expireStored(manager);
      server.expireAccessTokens();
      server.injectFault(fault);
      await failure(() => client.request("GET", "/items/1"));
      await client.request("GET", "/items/1").catch((error: unknown) => exposed.push(error));
      await learnTokens(manager);
    }
    await expireStored(manager);
    server.expireAccessTokens();
    server.injectFault({ kind: "drop-after-rotation", grant: "refresh_token" });
    await failure(() => client.request("GET", "/items/1"));
    await failure(() => client.request("GET", "/items/1")); // the spent token: invalid_grant
    const again = await signedIn();
    server.revokeAllRefreshTokens();
    server.expireAccessTokens();
    await failure(() => again.client.request("GET", "/items/1"));
    const third = await signedIn();
    exposed.push(await third.client.logout());
    await failure(() => third.client.request("GET", "/items/1"));
  });

  it("bad arguments and refused sign-ins", async () => {
    const password = `pw-${uniqueName("x")}`;
    secrets.add(password);
    const client = clientOn(server, createSessionManager(createMemoryStore()));
    watch(client);
    await failure(() => client.authenticateWithCredentials(USER.username, password));
    await failure(() => client.authenticateWithCredentials(password, 42 as unknown as string));
    await failure(() => client.getAccessToken(password, ""));
    await failure(() =>
      client.handleRedirect(`https://app.example/cb#access_token=${password}&state=x`, { state: "y" }),
    );
    await failure(
      () =>
        new PlatformClient(
          { authType: "password", clientId: "c", clientSecret: 7 as unknown as string },
          { apiURL: server.url },
        ),
    );
    await failure(
      () => new PlatformClient({ authType: "password", clientId: "c" }, { apiURL: `https://u:${password}@[bad` }),
    );
  });

  it("token answers that are not token responses", async () => {
    const accessToken = `at-scripted-${uniqueName("x")}`;
    const refreshToken = `rt-scripted-${uniqueName("x")}`;
    secrets.add(accessToken).add(refreshToken);
    const client = new PlatformClient(
      { authType: "password", clientId: "c", clientSecret: "demo-secret" },
      { apiURL: scripted.url, sessionStore: createSessionManager(createMemoryStore()), refreshJitterMs: 0 },
    );
    watch(client);
    for (const text of [
      JSON.stringify({ refresh_token: refreshToken, expires_in: 3600 }),
      JSON.stringify({ access_token: accessToken, refresh_token: refreshToken, expires_in: "soon" }),
      JSON.stringify({ access_token: accessToken, refresh_token: 42 }),
      `<html>${accessToken}</html>`,
    ]) {
      scripted.answer({ status: 200, contentType: "application/json", text });
      await failure(() => client.authenticateWithCredentials("demo", "pw"));
    }
  });
});

describe("secrets a server or backend echoes back", () => {
  // A token endpoint may echo what it was sent (error_description, a debug
  // field): every secret the request carried is replaced before parsing.
  it("a token endpoint that echoes the refresh token in its error does not leak it", async () => {
    const refreshToken = `rt-echoed-${uniqueName("x")}`;
    let now = Date.now();
    const client = new PlatformClient(
      { authType: "password", clientId: "c", clientSecret: "demo-secret" },
      {
        apiURL: scripted.url,
        sessionStore: createSessionManager(createMemoryStore()),
        refreshJitterMs: 0,
        now: () => now,
      },
    );
    scripted.answer({
      status: 200,
      contentType: "application/json",
      text: JSON.stringify({ access_token: "at-x-0123456789", refresh_token: refreshToken, expires_in: 60 }),
    });
    await client.authenticateWithCredentials("demo", "pw");
    now += 120_000;
    scripted.answer({
      status: 500,
      contentType: "application/json",
      text: JSON.stringify({ error: "server_error", error_description: `cannot refresh ${refreshToken}` }),
    });
    const error = await client.request("GET", "/items/1").catch((reason: unknown) => reason);
    for (const text of textsOf(error)) expect(text).not.toContain(refreshToken);
  });

  // A backend error may echo the record it failed to write: the cause chained
  // on our error is a redacted copy, since util.inspect prints it in full.
  it("a backend error that echoes the record does not leak it through `cause`", async () => {
    const inner = createMemoryStore();
    const chatty: SessionStore = {
      capabilities: inner.capabilities,
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      close: () => inner.close(),
      set: (_key, record) => {
        throw new Error(`write failed: ${JSON.stringify(record)}`);
      },
    };
    const token = `at-chatty-${uniqueName("x")}`;
    const error = await createSessionManager(chatty)
      .set({ accessToken: token }, "password")
      .catch((reason: unknown) => reason);
    for (const text of textsOf(error)) expect(text).not.toContain(token);
  });
});
