import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/temp-dir.js";

const FIXTURE = new URL("./fixtures/sessions-0.1.0.json", import.meta.url);

describe("which files the store treats as its own", () => {
  it('a file written by 0.1.0 (marker `"sessionstore": 1` first) is read and updated in place', async () => {
    const dir = await tempDir("fixture");
    const path = join(dir, "sessions.json");
    copyFileSync(FIXTURE, path);
    const manager = createSessionManager(createFileStore({ path }), { namespace: "app" });
    const alice = await manager.forSubject("alice").read("password");
    expect(alice?.auth.accessToken).toBe("fixture-access");
    await manager.forSubject("bob").write("password", { accessToken: "bob-access" });
    await manager.close();
    const document = JSON.parse(readFileSync(path, "utf8")) as { sessionstore: number; records: object };
    expect(document.sessionstore).toBe(1);
    expect(Object.keys(document.records).sort()).toEqual(["app:alice:password", "app:bob:password"]);
  });

  const foreign: [string, string | Buffer][] = [
    ["an empty file", ""],
    ["a whitespace-only file", "\n  \n"],
    ["a package.json", `${JSON.stringify({ name: "app", sessionstore: { path: "x" } }, null, 2)}\n`],
    ["a text file", "{ these are my notes\n"],
    ["a JSON array", "[1, 2, 3]\n"],
    ["binary bytes", Buffer.from([0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0, 0xff, 0xfe])],
  ];
  for (const [label, content] of foreign) {
    it(`${label}: refused by get and set (ERR_STORE_UNAVAILABLE naming the path), never moved or rewritten`, async () => {
      const dir = await tempDir("foreign");
      const path = join(dir, "sessions.json");
      writeFileSync(path, content);
      const before = readFileSync(path);
      const store = createFileStore({ path });
      for (const attempt of [() => store.get("k"), () => store.set("k", { v: 1 }), () => store.get("k")]) {
        const error = await attempt().then(
          () => undefined,
          (reason: unknown) => reason as Error & { code: string },
        );
        expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
        expect(error?.message).toContain(`${path} is not a sessionstore file`);
        expect(error?.message).toContain("left exactly as it was");
      }
      await store.close();
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(["sessions.json"]);
    });
  }
});
