import {
  createMemoryStore,
  createSessionManager,
  generateEncryptionKey,
  keyFromEnv,
  withEncryption,
} from "@sessionstore/core";
import { afterEach, describe, expect, it } from "vitest";

const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const token = { accessToken: "very-secret-access", refreshToken: "very-secret-refresh", expiresIn: 3600 };

describe("withEncryption", () => {
  afterEach(() => {
    delete process.env.SESSIONSTORE_TEST_KEY;
  });

  it("stores only ciphertext carrying its key id, and reads the session back", async () => {
    const raw = createMemoryStore();
    const manager = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }));
    await manager.set(token, "password");
    const stored = await raw.get(manager.keyFor("password"));
    expect(stored).toMatchObject({ enc: "A256GCM", kid: "k1" });
    expect(JSON.stringify(stored)).not.toContain("very-secret");
    await expect(manager.get("password")).resolves.toMatchObject(token);
  });

  it("binds the record key: a ciphertext moved to another key does not decrypt", async () => {
    const raw = createMemoryStore();
    const manager = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }));
    await manager.forSubject("alice").set(token, "password");
    const alices = await raw.get(manager.forSubject("alice").keyFor("password"));
    await raw.set(manager.forSubject("mallory").keyFor("password"), alices ?? {});
    await expect(manager.forSubject("mallory").get("password")).rejects.toMatchObject({ code: "ERR_DECRYPT" });
  });

  it("a flipped bit, a wrong key or a missing key is ERR_DECRYPT naming the key id, and nothing is overwritten", async () => {
    const raw = createMemoryStore();
    const writer = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }));
    await writer.set(token, "app");
    const key = writer.keyFor("app");
    const original = await raw.get(key);

    const wrong = createSessionManager(withEncryption(raw, { keys: { k1: k2 }, activeKeyId: "k1" }));
    await expect(wrong.get("app")).rejects.toMatchObject({
      code: "ERR_DECRYPT",
      message: expect.stringContaining('"k1"'),
    });
    const missing = createSessionManager(withEncryption(raw, { keys: { k2 }, activeKeyId: "k2" }));
    await expect(missing.get("app")).rejects.toMatchObject({
      code: "ERR_DECRYPT",
      message: expect.stringContaining('"k1"'),
    });
    expect(await raw.get(key)).toEqual(original);

    const ct = String(original?.ct);
    const flipped = `${ct.slice(0, 10)}${ct[10] === "A" ? "B" : "A"}${ct.slice(11)}`;
    await raw.set(key, { ...original, ct: flipped });
    await expect(writer.get("app")).rejects.toMatchObject({ code: "ERR_DECRYPT" });
  });

  it("rotates: old records are read with their key and re-encrypted with the active one on the next write", async () => {
    const raw = createMemoryStore();
    const before = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }));
    await before.set(token, "server");
    const after = createSessionManager(withEncryption(raw, { keys: { k1, k2 }, activeKeyId: "k2" }));
    await expect(after.get("server")).resolves.toMatchObject(token);
    expect(await raw.get(after.keyFor("server"))).toMatchObject({ kid: "k1" });
    await after.set({ ...token, accessToken: "rotated" }, "server");
    expect(await raw.get(after.keyFor("server"))).toMatchObject({ kid: "k2" });
    const onlyNew = createSessionManager(withEncryption(raw, { keys: { k2 }, activeKeyId: "k2" }));
    await expect(onlyNew.get("server")).resolves.toMatchObject({ accessToken: "rotated" });
  });

  it("takes keys from an env var or a function (KMS, keychain), asked once per key id", async () => {
    process.env.SESSIONSTORE_TEST_KEY = k1;
    const fromEnv = createSessionManager(
      withEncryption(createMemoryStore(), { keys: { env: keyFromEnv("SESSIONSTORE_TEST_KEY") }, activeKeyId: "env" }),
    );
    await fromEnv.set(token, "password");
    await expect(fromEnv.get("password")).resolves.toMatchObject(token);

    const asked: string[] = [];
    const kms = createSessionManager(
      withEncryption(createMemoryStore(), {
        keys: async (keyId) => {
          asked.push(keyId);
          return keyId === "kms-1" ? k2 : undefined;
        },
        activeKeyId: "kms-1",
      }),
    );
    await kms.set(token, "password");
    await kms.get("password");
    expect(asked).toEqual(["kms-1"]);
  });

  it("refuses bad configuration with the field named", () => {
    const store = createMemoryStore();
    expect(() => withEncryption(store, { keys: { k1 }, activeKeyId: "k9" })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "keys" }),
    );
    expect(() => withEncryption(store, { keys: { k1 }, activeKeyId: "" })).toThrow(
      expect.objectContaining({ field: "activeKeyId" }),
    );
  });

  it("a key of the wrong size is refused when first used; an env var that is unset is a missing key", async () => {
    const short = createSessionManager(
      withEncryption(createMemoryStore(), { keys: { s: "c2hvcnQ=" }, activeKeyId: "s" }),
    );
    await expect(short.set(token, "app")).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "keys.s" });
    const unset = createSessionManager(
      withEncryption(createMemoryStore(), { keys: { e: keyFromEnv("SESSIONSTORE_UNSET_KEY") }, activeKeyId: "e" }),
    );
    await expect(unset.set(token, "app")).rejects.toMatchObject({ code: "ERR_DECRYPT" });
  });

  it("plaintext records are ERR_DECRYPT unless readPlaintext migrates them", async () => {
    const raw = createMemoryStore();
    const plain = createSessionManager(raw);
    await plain.set(token, "client");
    const strict = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }));
    await expect(strict.get("client")).rejects.toMatchObject({ code: "ERR_DECRYPT" });
    const migrating = createSessionManager(
      withEncryption(raw, { keys: { k1 }, activeKeyId: "k1", readPlaintext: true }),
    );
    await expect(migrating.get("client")).resolves.toMatchObject(token);
  });
});
