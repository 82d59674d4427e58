// Corrupt records in every real backend: garbage bytes, valid JSON of the wrong
// shape (at the backend's layer and at the session layer) and a ciphertext with
// one flipped bit under withEncryption. Each must surface as ERR_CORRUPT_RECORD /
// ERR_DECRYPT through a SessionManager and through the client, crash nothing,
// overwrite nothing, and leave the other sessions in the store usable.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  canList,
  createSessionManager,
  generateEncryptionKey,
  type JsonObject,
  type SessionManager,
  type SessionStore,
  type SessionStoreErrorCode,
  withEncryption,
} from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { crashSentinel } from "@sessionstore/testkit";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allBackends, type Backend, uniqueName } from "./support/backends.js";
import { clientOn, signedInClient } from "./support/clients.js";

const backends = allBackends();
const key = generateEncryptionKey();
let server: FakePlatform;
const sentinel = crashSentinel();

beforeAll(async () => {
  server = await startFakePlatform();
});
afterAll(async () => {
  await server.close();
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});
beforeEach(() => sentinel.install());
afterEach(async () => {
  expect(await sentinel.uninstall()).toEqual([]);
});

/** Flips one bit in the middle of a base64url string's bytes. */
function flipBit(text: string): string {
  const bytes = Buffer.from(text, "base64url");
  const index = Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString("base64url");
}

interface Scene {
  readonly store: SessionStore;
  readonly raw: SessionStore;
  readonly victim: SessionManager;
  readonly bystander: SessionManager;
}

/** Two subjects signed in through the client over one store (encrypted or not). */
async function scene(backend: Backend, encrypted: boolean): Promise<Scene> {
  const raw = backend.open();
  const store = encrypted ? withEncryption(raw, { keys: { k1: key }, activeKeyId: "k1" }) : raw;
  const manager = createSessionManager(store, { namespace: uniqueName("c") });
  const victim = manager.forSubject("victim");
  const bystander = manager.forSubject("bystander");
  await signedInClient(server, victim);
  await signedInClient(server, bystander);
  return { store, raw, victim, bystander };
}

/** Everything a user can do with the damaged session fails with `code`; nothing else is hurt. */
async function expectContained(
  scene: Scene,
  code: SessionStoreErrorCode,
  rawBefore: () => Promise<unknown>,
  listing: "marks it" | "rejects" | "skip" = code === "ERR_CORRUPT_RECORD" ? "marks it" : "skip",
) {
  const { victim, bystander } = scene;
  const snapshot = await rawBefore();

  // Through the manager: promise form, podio-js callback form (plus the 'error' event).
  await expect(victim.get("password")).rejects.toMatchObject({ name: "SessionStoreError", code });
  const events: unknown[] = [];
  const off = victim.on("error", (error) => events.push(error));
  const [auth, failure] = await new Promise<[unknown, unknown]>((resolve) =>
    victim.get("password", (value, error) => resolve([value, error])),
  );
  off();
  expect(auth).toBeUndefined();
  expect(failure).toMatchObject({ code });
  expect(events).toHaveLength(1);

  // Through the client: a restore that fails is reported, never taken for "signed out".
  const restoring = clientOn(server, victim);
  await expect(restoring.ready).rejects.toMatchObject({ code });
  await expect(restoring.request("GET", "/items/1")).rejects.toMatchObject({ code });
  await expect(restoring.isAuthenticated()).rejects.toMatchObject({ code });

  // The other session in the same store is untouched, in the manager and in a new client.
  expect(await bystander.get("password")).toMatchObject({ accessToken: expect.any(String) });
  await expect(clientOn(server, bystander).request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
  if (canList(scene.store) && listing === "marks it") {
    const infos = await victim.list();
    expect(infos.find((info) => info.subject === "victim")).toMatchObject({ corrupt: true });
    expect(infos.find((info) => info.subject === "bystander")).toMatchObject({ refreshable: true });
  } else if (canList(scene.store) && listing === "rejects") {
    await expect(victim.list()).rejects.toMatchObject({ code });
  }

  // Reading never repaired or reset it behind the user's back.
  expect(await rawBefore()).toEqual(snapshot);

  // Recovery needs no surgery. A corrupt record is replaced by an explicit sign-in;
  // one encrypted under a key we lack is deleted first (a wrong key never overwrites).
  if (code === "ERR_CORRUPT_RECORD") {
    const signIn = clientOn(server, victim);
    await signIn.authenticateWithCredentials("demo", "demo-password");
    await expect(signIn.request("GET", "/items/4")).resolves.toMatchObject({ item_id: "4" });
    expect(await victim.get("password")).toMatchObject({ accessToken: expect.any(String) });
  } else {
    await expect(clientOn(server, victim).authenticateWithCredentials("demo", "demo-password")).rejects.toMatchObject({
      code,
    });
  }
  expect(await victim.delete("password")).toBe(true);
  const again = clientOn(server, victim);
  await again.authenticateWithCredentials("demo", "demo-password");
  await expect(again.request("GET", "/items/3")).resolves.toMatchObject({ item_id: "3" });
}

/** The raw backend answer for a key, as something comparable (a rejection's code, or the record). */
async function rawState(store: SessionStore, storeKey: string): Promise<unknown> {
  try {
    return await store.get(storeKey);
  } catch (error) {
    return { rejected: (error as { code?: string }).code };
  }
}

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s", (_name, backend) => {
  it("garbage bytes: ERR_CORRUPT_RECORD through the manager and the client, other sessions unaffected", async () => {
    const current = await scene(backend, false);
    const storeKey = current.victim.keyFor("password");
    await backend.corrupt(storeKey, "garbage");
    await expect(current.raw.get(storeKey)).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    // Keyv's own iterator throws at bytes it cannot parse; the keyv store lists past them, so
    // every backend, keyv-postgres included, lists the other sessions and marks this one corrupt.
    await expectContained(current, "ERR_CORRUPT_RECORD", () => rawState(current.raw, storeKey), "marks it");
  });

  it("valid JSON that is not the backend's envelope: ERR_CORRUPT_RECORD, contained", async () => {
    const current = await scene(backend, false);
    const storeKey = current.victim.keyFor("password");
    await backend.corrupt(storeKey, "wrong-shape");
    await expectContained(current, "ERR_CORRUPT_RECORD", () => rawState(current.raw, storeKey));
  });

  it("a stored record that is not a session (wrong version, no auth, a numeric token): ERR_CORRUPT_RECORD, contained", async () => {
    const wrongShapes: JsonObject[] = [
      { hello: "world" },
      { v: 2, auth: { accessToken: "x" }, updatedAt: 1 },
      { v: 1, auth: { accessToken: 42 }, updatedAt: 1 },
      { v: 1, auth: ["not", "an", "object"], updatedAt: 1 },
      { v: 1, auth: { accessToken: "x", expiresAt: "soon" }, updatedAt: 1 },
    ];
    for (const shape of wrongShapes) {
      const current = await scene(backend, false);
      const storeKey = current.victim.keyFor("password");
      await current.raw.set(storeKey, shape);
      await expectContained(current, "ERR_CORRUPT_RECORD", () => rawState(current.raw, storeKey));
    }
  }, 30_000);

  it("withEncryption: one flipped bit in the ciphertext (or IV) is ERR_DECRYPT, nothing overwritten, others unaffected", async () => {
    for (const field of ["ct", "iv"] as const) {
      const current = await scene(backend, true);
      const storeKey = current.victim.keyFor("password");
      const envelope = (await current.raw.get(storeKey)) as JsonObject;
      expect(envelope).toMatchObject({ enc: "A256GCM", kid: "k1" });
      await current.raw.set(storeKey, { ...envelope, [field]: flipBit(String(envelope[field])) });
      await expectContained(current, "ERR_DECRYPT", async () => current.raw.get(storeKey));
    }
  });
});

describe("one record that does not decrypt", () => {
  // SessionManager.list() once rethrew ERR_DECRYPT, so one tampered (or
  // foreign-key) record hid every other session from list().
  it("is marked corrupt by SessionManager.list(), which still lists every other session", async () => {
    const backend = backends.find((candidate) => candidate.name === "redis") as Backend;
    const current = await scene(backend, true);
    const storeKey = current.victim.keyFor("password");
    const envelope = (await current.raw.get(storeKey)) as JsonObject;
    await current.raw.set(storeKey, { ...envelope, ct: flipBit(String(envelope.ct)) });
    const infos = await current.bystander.list();
    expect(infos.find((info) => info.subject === "bystander")).toMatchObject({ refreshable: true });
    expect(infos.find((info) => info.subject === "victim")).toMatchObject({ corrupt: true });
  });
});

describe("file store: the whole file corrupt", () => {
  it("is moved aside with its bytes intact and reported once as ERR_CORRUPT_RECORD; never read as a silent reset", async () => {
    const backend = backends.find((candidate) => candidate.name === "file");
    if (backend?.spec?.kind !== "file") throw new Error("file backend missing");
    const path = `${dirname(backend.spec.path)}/whole.json`;
    const manager = createSessionManager(createFileStore({ path }), { namespace: uniqueName("w") });
    await signedInClient(server, manager);
    const garbage = '{"sessionstore":1,"records":{"trunc';
    writeFileSync(path, garbage);

    const restoring = clientOn(server, manager);
    const error = await restoring.ready.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: "ERR_CORRUPT_RECORD", message: expect.stringContaining(".corrupt-") });
    const aside = readdirSync(dirname(path)).filter((entry) => entry.startsWith("whole.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(`${dirname(path)}/${aside[0]}`, "utf8")).toBe(garbage);
    // After the report the store starts from an empty file: the client says "sign in", and can.
    await expect(restoring.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_NOT_AUTHENTICATED" });
    await restoring.authenticateWithCredentials("demo", "demo-password");
    expect(existsSync(path)).toBe(true);
    expect(await manager.get("password")).toMatchObject({ accessToken: expect.any(String) });
  });
});
