import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SessionStore } from "@sessionstore/core";
import { describeSessionStore } from "@sessionstore/testkit";
import { afterAll } from "vitest";
import { createDirectoryStore } from "../src/index.js";

// Every directory the suite's stores were given, removed after the file (also when a test failed).
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Which directory each store the suite made lives in, for the raw-backend hooks.
const dirs = new WeakMap<SessionStore, string>();
const fileOf = (store: SessionStore, key: string) =>
  join(dirs.get(store) as string, `${Buffer.from(key).toString("base64url")}.json`);

describeSessionStore(
  "directory (custom adapter example)",
  () => {
    const dir = tempDir("sessionstore-dir-");
    const store = createDirectoryStore({ dir });
    dirs.set(store, dir);
    return store;
  },
  {
    inspect: (store, key) => {
      try {
        return readFileSync(fileOf(store, key), "utf8");
      } catch {
        return undefined;
      }
    },
    corrupt: (store, key) => writeFileSync(fileOf(store, key), '{"record": {"v": 1, "trunc'),
    // A regular file where the directory should be: every call fails with ENOTDIR.
    unavailable: () => {
      const blocker = join(tempDir("sessionstore-blocked-"), "not-a-dir");
      writeFileSync(blocker, "");
      return createDirectoryStore({ dir: join(blocker, "sessions") });
    },
  },
);
