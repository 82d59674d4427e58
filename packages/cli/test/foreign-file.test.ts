import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { createSqliteStore } from "@sessionstore/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess } from "./support/cli-process.js";

// Files a user may point `--store file:` at by mistake. None is a sessions
// file, so nothing the CLI or the store does may change a byte of them.
const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("a file store pointed at a file that is not its own", () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-foreign-"));
    files.sqlite = join(dir, "app.db");
    const sqlite = createSqliteStore({ path: files.sqlite, purgeIntervalMs: 0 });
    await sqlite.set("k", { v: 1 });
    await sqlite.close();
    files.packageJson = join(dir, "package.json");
    writeFileSync(files.packageJson, `${JSON.stringify({ name: "app", version: "1.0.0" }, null, 2)}\n`);
    files.empty = join(dir, "empty.json");
    writeFileSync(files.empty, "");
    files.binary = join(dir, "blob.bin");
    writeFileSync(files.binary, Buffer.from([0, 1, 2, 255, 254, 0x7b, 0x22, 10, 13, 0]));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const commands: readonly (readonly string[])[] = [
    ["list"],
    ["show", "--subject", "alice"],
    ["delete", "--subject", "alice", "--auth-type", "password"],
    ["clear", "--yes"],
    ["revoke-all", "--revoke-url", "http://127.0.0.1:9/revoke", "--client-id", "c"],
  ];

  for (const kind of ["sqlite", "packageJson", "empty", "binary"]) {
    it(`${kind}: every CLI command refuses it by name (exit 2) and leaves it byte-identical`, async () => {
      const path = files[kind] as string;
      const before = digest(path);
      const entries = readdirSync(dir).sort();
      for (const command of commands) {
        const result = await runCliProcess([...command, "--store", `file:${path}`, "--namespace", "n"]);
        expect(result.stderr, command.join(" ")).toContain(path);
        expect(result.stderr).toContain("is not a sessionstore file");
        expect(result.stderr).not.toContain("starts again");
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(result.code).toBe(2);
        expect(digest(path)).toBe(before);
        expect(readdirSync(dir).sort()).toEqual(entries);
      }
    });

    it(`${kind}: createFileStore + get/set/list/delete refuse it with ERR_STORE_UNAVAILABLE, byte-identical`, async () => {
      const path = files[kind] as string;
      const before = digest(path);
      const entries = readdirSync(dir).sort();
      const store = createFileStore({ path });
      const refused = { name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" };
      await expect(store.get("k")).rejects.toMatchObject(refused);
      await expect(store.set("k", { v: 1 })).rejects.toMatchObject(refused);
      await expect(store.list("")).rejects.toMatchObject(refused);
      await expect(store.delete("k")).rejects.toMatchObject(refused);
      await expect(store.get("k")).rejects.toThrow(path);
      await store.close();
      expect(digest(path)).toBe(before);
      expect(readdirSync(dir).sort()).toEqual(entries);
    });
  }
});
