import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SessionStore } from "@sessionstore/core";
import { describeSessionStore } from "@sessionstore/testkit";
import { createDirectoryStore } from "../src/index.js";

// Which directory each store the suite made lives in, for the raw-backend hooks.
const dirs = new WeakMap<SessionStore, string>();
const fileOf = (store: SessionStore, key: string) =>
  join(dirs.get(store) as string, `${Buffer.from(key).toString("base64url")}.json`);

describeSessionStore(
  "directory (custom adapter example)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "sessionstore-dir-"));
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
      const blocker = join(mkdtempSync(join(tmpdir(), "sessionstore-blocked-")), "not-a-dir");
      writeFileSync(blocker, "");
      return createDirectoryStore({ dir: join(blocker, "sessions") });
    },
  },
);
