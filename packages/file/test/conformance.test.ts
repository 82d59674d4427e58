import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SessionStore } from "@sessionstore/core";
import { createFileStore, type FileStore } from "@sessionstore/file";
import { describeSessionStore } from "@sessionstore/testkit";
import { tempDir } from "./support/temp-dir.js";

// Every store the suite opens shares one file, as processes of one app would.
const dir = await tempDir("conformance");
const path = join(dir, "sessions.json");
writeFileSync(join(dir, "plain-file"), "not a directory");

interface RawFile {
  sessionstore: number;
  records: Record<string, unknown>;
  locks?: Record<string, unknown>;
}

function readRaw(store: SessionStore): RawFile | undefined {
  try {
    return JSON.parse(readFileSync((store as FileStore).path, "utf8")) as RawFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

describeSessionStore("file", () => createFileStore({ path }), {
  inspect: (store, key) => {
    const entry = readRaw(store)?.records[key] as { record?: unknown } | undefined;
    return entry?.record;
  },
  corrupt: (store, key) => {
    const raw = readRaw(store) ?? { sessionstore: 1, records: {} };
    raw.records[key] = { record: '{"v":1,"auth":{"accessTo' };
    writeFileSync((store as FileStore).path, JSON.stringify(raw));
  },
  // A path under a regular file: no directory can ever be made there.
  unavailable: () => createFileStore({ path: join(dir, "plain-file", "sessions.json") }),
});
