import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSqliteStore, type SqliteStore } from "@sessionstore/sqlite";
import { describeSessionStore } from "@sessionstore/testkit";
import { rawValue, writeRaw } from "./support/sqlite3.js";
import { tempDir } from "./support/temp-dir.js";

// Every store the suite opens shares one real database file (keys are random).
const dir = await tempDir("conformance");
const path = join(dir, "sessions.db");
// A "directory" that is a regular file: the database can never be created below it.
const blocker = join(dir, "not-a-directory");
await writeFile(blocker, "");

describeSessionStore("sqlite", () => createSqliteStore({ path }), {
  inspect: (store, key) => rawValue((store as SqliteStore).path, key),
  corrupt: (store, key) => writeRaw((store as SqliteStore).path, key, '{"value":"{\\"expiresAt\\":null,\\"record\\":{'),
  unavailable: () => createSqliteStore({ path: join(blocker, "sessions.db") }),
});
