import { createMemoryStore, generateEncryptionKey, withEncryption } from "@sessionstore/core";
import { describeSessionStore } from "@sessionstore/testkit";

describeSessionStore("memory", () => createMemoryStore());

// Encryption at rest wraps ANY store and must keep every rule of the contract.
const key = generateEncryptionKey();
describeSessionStore("memory + withEncryption", () =>
  withEncryption(createMemoryStore(), { keys: { k1: key }, activeKeyId: "k1" }),
);
