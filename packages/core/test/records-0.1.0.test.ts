/**
 * Records encrypted by sessionstore 0.1.0's withEncryption (fixtures/0.1.0/
 * encrypted-records.json: the ciphertext records and the key, dumped by
 * scripts/make-0.1.0-fixtures.mjs on the 0.1.0 release) still decrypt and read.
 */
import { readFileSync } from "node:fs";
import { createMemoryStore, createSessionManager, type JsonObject, withEncryption } from "@sessionstore/core";
import { describe, expect, it } from "vitest";

interface Dump {
  readonly key: string;
  readonly keyId: string;
  readonly records: Record<string, JsonObject>;
}
const dump = JSON.parse(
  readFileSync(new URL("./fixtures/0.1.0/encrypted-records.json", import.meta.url), "utf8"),
) as Dump;

describe("records encrypted by 0.1.0", () => {
  it("decrypt with the same key and read through the manager", async () => {
    const inner = createMemoryStore();
    for (const [key, record] of Object.entries(dump.records)) await inner.set(key, record);
    expect(JSON.stringify(dump.records)).not.toContain("AT-010");
    const store = withEncryption(inner, { keys: { [dump.keyId]: dump.key }, activeKeyId: dump.keyId });
    const manager = createSessionManager(store, { namespace: "app" });
    expect(await manager.get("password")).toMatchObject({
      accessToken: "AT-010-user",
      refreshToken: "RT-010-user",
      ref: { type: "user", id: 7 },
    });
    expect(await manager.get("app")).toMatchObject({ accessToken: "AT-010-app" });
    expect(await manager.forSubject("alice").get("server")).toMatchObject({ refreshToken: "RT-010-alice" });
    await store.close();
  });
});
