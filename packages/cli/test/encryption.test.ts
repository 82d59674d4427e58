import { EXIT_CODES } from "@sessionstore/cli";
import { createMemoryStore, generateEncryptionKey, type SessionStore, withEncryption } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { containsSecret, run, seed } from "./support/harness.js";

const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const STORE = ["--store", "file:./ignored.json"];

/** alice under key k1, bob under k2, carol in plaintext: one raw store. */
async function mixedStore() {
  const raw = createMemoryStore();
  await seed(withEncryption(raw, { keys: { k1 }, activeKeyId: "k1" }), "sessionstore", [
    { subject: "alice", authType: "password", expiresIn: 3600 },
  ]);
  await seed(withEncryption(raw, { keys: { k2 }, activeKeyId: "k2" }), "sessionstore", [
    { subject: "bob", authType: "server", expiresIn: 3600 },
  ]);
  await seed(raw, "sessionstore", [{ subject: "carol", authType: "app", expiresIn: 3600 }]);
  let opened = 0;
  const openStore = (): SessionStore => {
    opened += 1;
    return { ...raw, capabilities: raw.capabilities, close: () => undefined };
  };
  return { openStore, opened: () => opened };
}

const readable = (stdout: string) =>
  Object.fromEntries(
    JSON.parse(stdout).sessions.map((entry: { subject: string; readable: boolean }) => [entry.subject, entry.readable]),
  );

describe("--key-env: records encrypted at rest", () => {
  it("without a key, encrypted records are listed as unreadable and show exits 4", async () => {
    const { openStore } = await mixedStore();
    const list = await run(["list", "--json", ...STORE], { openStore });
    expect(list.code).toBe(0);
    expect(readable(list.stdout)).toEqual({ alice: false, bob: false, carol: true });
    const show = await run(["show", "--subject", "alice", ...STORE], { openStore });
    expect(show.code).toBe(EXIT_CODES.UNREADABLE_RECORD);
  });

  it("with the keys from the environment, every record reads, and still no token value is printed", async () => {
    const { openStore } = await mixedStore();
    const env = { APP_KEY_1: k1, APP_KEY_2: k2 };
    const list = await run(["list", "--json", ...STORE, "--key-env", "k1=APP_KEY_1", "--key-env", "k2=APP_KEY_2"], {
      openStore,
      env,
    });
    expect(list.code).toBe(0);
    expect(readable(list.stdout)).toEqual({ alice: true, bob: true, carol: true });
    expect(containsSecret(list.stdout)).toBe(false);
    const show = await run(["show", "--subject", "bob", ...STORE, "--key-env", "APP_KEY_2"], { openStore, env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^access token\s+expires in 60 min/m);
  });

  it("one record under a key it lacks does not hide the others", async () => {
    const { openStore } = await mixedStore();
    const list = await run(["list", "--json", ...STORE, "--key-env", "k1=APP_KEY_1"], {
      openStore,
      env: { APP_KEY_1: k1 },
    });
    expect(list.code).toBe(0);
    expect(readable(list.stdout)).toEqual({ alice: true, bob: false, carol: true });
    const show = await run(["show", "--subject", "bob", ...STORE, "--key-env", "k1=APP_KEY_1"], {
      openStore,
      env: { APP_KEY_1: k1 },
    });
    expect(show.code).toBe(EXIT_CODES.UNREADABLE_RECORD);
    expect(show.stderr).toContain('cannot decrypt with key "k2"');
  });

  it("a missing variable or a malformed entry is a usage error before the store is opened", async () => {
    const { openStore, opened } = await mixedStore();
    const unset = await run(["list", ...STORE, "--key-env", "NOPE"], { openStore, env: {} });
    expect(unset.code).toBe(EXIT_CODES.USAGE);
    expect(unset.stderr).toContain("environment variable NOPE is not set");
    const malformed = await run(["list", ...STORE, "--key-env", "a=b=c"], { openStore });
    expect(malformed.code).toBe(EXIT_CODES.USAGE);
    expect(opened()).toBe(0);
  });

  it("a key of the wrong size is a usage error naming it", async () => {
    const { openStore } = await mixedStore();
    const result = await run(["show", "--subject", "alice", ...STORE, "--key-env", "BAD"], {
      openStore,
      env: { BAD: "c2hvcnQ=" },
    });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toContain("must be 32 bytes");
    expect(result.stderr).not.toContain("c2hvcnQ=");
  });
});
