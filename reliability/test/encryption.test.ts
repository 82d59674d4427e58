// withEncryption over every real backend (packages/core/test/encryption.test.ts
// proves it on the memory store): what reaches the backend is ciphertext only,
// rotation re-encrypts on the next write, a ciphertext moved to another
// subject's key does not decrypt — and a key source that fails is reported as
// a typed error even when the store is used without a SessionManager.
import {
  createMemoryStore,
  createSessionManager,
  generateEncryptionKey,
  isSessionStoreError,
  type JsonObject,
  withEncryption,
} from "@sessionstore/core";
import { afterAll, describe, expect, it } from "vitest";
import { allBackends, uniqueName } from "./support/backends.js";

const backends = allBackends();
afterAll(async () => {
  await Promise.allSettled(backends.map((backend) => backend.dispose()));
});

const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const session = { accessToken: "at-encrypted-0123456789", refreshToken: "rt-encrypted-0123456789", expiresIn: 3600 };

describe.each(backends.map((backend) => [backend.name, backend] as const))("%s", (_name, backend) => {
  it("stores ciphertext only; rotates on write; a moved ciphertext is ERR_DECRYPT", async () => {
    const raw = backend.open();
    const namespace = uniqueName("enc");
    const before = createSessionManager(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }), { namespace });
    await before.forSubject("alice").set(session, "password");
    const stored = (await raw.get(before.forSubject("alice").keyFor("password"))) as JsonObject;
    expect(stored).toMatchObject({ enc: "A256GCM", kid: "k1" });
    expect(JSON.stringify(stored)).not.toContain("encrypted-0123456789");

    const after = createSessionManager(withEncryption(raw, { keys: { k1, k2 }, activeKeyId: "k2" }), { namespace });
    await expect(after.forSubject("alice").get("password")).resolves.toMatchObject(session);
    await after.forSubject("alice").set({ ...session, accessToken: "at-rotated-0123456789" }, "password");
    expect(await raw.get(after.forSubject("alice").keyFor("password"))).toMatchObject({ kid: "k2" });
    const onlyNew = createSessionManager(withEncryption(raw, { keys: { k2 }, activeKeyId: "k2" }), { namespace });
    await expect(onlyNew.forSubject("alice").get("password")).resolves.toMatchObject({
      accessToken: "at-rotated-0123456789",
    });

    // Mallory copies Alice's record under her own key: authenticated data says no.
    await raw.set(
      after.forSubject("mallory").keyFor("password"),
      (await raw.get(after.forSubject("alice").keyFor("password"))) ?? {},
    );
    await expect(after.forSubject("mallory").get("password")).rejects.toMatchObject({ code: "ERR_DECRYPT" });
  });
});

describe("a key source that fails (a KMS outage)", () => {
  // The contract says failures reject with a SessionStoreError: a bare
  // withEncryption store must not leak the key function's plain Error.
  it("is a SessionStoreError naming the key id, on the bare store too", async () => {
    const store = withEncryption(createMemoryStore(), {
      keys: () => {
        throw new Error("KMS unreachable");
      },
      activeKeyId: "kms-1",
    });
    const error = await Promise.resolve()
      .then(() => store.set("ns:subject:password", { v: 1 }))
      .catch((reason: unknown) => reason);
    expect(isSessionStoreError(error)).toBe(true);
    expect((error as Error).message).toContain("kms-1");
  });

  it("through a SessionManager it is already ERR_STORE_UNAVAILABLE, and retried on the next call", async () => {
    let calls = 0;
    const manager = createSessionManager(
      withEncryption(createMemoryStore(), {
        keys: () => {
          calls += 1;
          if (calls === 1) throw new Error("KMS unreachable");
          return k1;
        },
        activeKeyId: "kms-1",
      }),
    );
    await expect(manager.set(session, "password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    await manager.set(session, "password");
    await expect(manager.get("password")).resolves.toMatchObject(session);
  });
});
