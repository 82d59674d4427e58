import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type SessionStore, SessionStoreError, type StoreCapabilities, toStoreError } from "@sessionstore/core";
import {
  assertStoreKey,
  isExpired,
  parseRecord,
  readExpiresAt,
  serializeRecord,
  storeClosedError,
} from "@sessionstore/core/adapter";

/** Options for {@link createDirectoryStore}. */
export interface DirectoryStoreOptions {
  /** Directory holding one file per session; created (mode 0700) when missing. */
  dir: string;
}

// Lock is false: a directory gives no atomic lease without extra machinery, and
// the contract lets a store say so. The SessionManager then locks in-process only.
const CAPABILITIES: StoreCapabilities = Object.freeze({ lock: false, list: true, nativeExpiry: false });

// File names must be literal and reversible whatever the key holds (`:`, `*`, `%`, `/`).
const fileName = (key: string) => `${Buffer.from(key, "utf8").toString("base64url")}.json`;
const keyOf = (name: string) => Buffer.from(name.slice(0, -".json".length), "base64url").toString("utf8");

/**
 * A SessionStore keeping each record in its own file: the smallest real adapter,
 * written to show the contract. Writes go to a temp file renamed into place, so
 * a reader sees the old record or the new one, never half of one.
 */
export function createDirectoryStore(options: DirectoryStoreOptions): SessionStore {
  if (typeof options?.dir !== "string" || options.dir.length === 0) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", "dir must be a non-empty path", { field: "dir" });
  }
  const { dir } = options;
  let closed = false;
  let ready: Promise<unknown> | undefined;

  // Every backend failure becomes ERR_STORE_UNAVAILABLE with its cause; a missing
  // file is "no record", never an error.
  const guard = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    if (closed) throw storeClosedError();
    try {
      ready ??= mkdir(dir, { recursive: true, mode: 0o700 });
      await ready;
      return await run();
    } catch (error) {
      ready = undefined;
      throw toStoreError(error, operation);
    }
  };

  const readEntry = async (key: string) => {
    let text: string;
    try {
      text = await readFile(join(dir, fileName(key)), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const entry = parseRecord(text, key);
    const expiresAt = typeof entry.expiresAt === "number" ? entry.expiresAt : undefined;
    if (isExpired(expiresAt)) return undefined;
    return parseRecord(JSON.stringify(entry.record), key);
  };

  return {
    capabilities: CAPABILITIES,
    async get(key) {
      assertStoreKey(key);
      return guard("get", () => readEntry(key));
    },
    async set(key, record, setOptions) {
      assertStoreKey(key);
      const expiresAt = readExpiresAt(setOptions);
      // serializeRecord refuses a record that is not a JSON object (null, [], "x", 7) before anything is written.
      const recordText = serializeRecord(record);
      const text = `{"record":${recordText}${expiresAt === undefined ? "" : `,"expiresAt":${expiresAt}`}}`;
      await guard("set", async () => {
        const target = join(dir, fileName(key));
        const temp = `${target}.${process.pid}.${globalThis.crypto.randomUUID()}.tmp`;
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, target);
      });
    },
    async delete(key) {
      assertStoreKey(key);
      return guard("delete", async () => {
        const existed = (await readEntry(key)) !== undefined;
        await rm(join(dir, fileName(key)), { force: true });
        return existed;
      });
    },
    async list(prefix) {
      return guard("list", async () => {
        const keys: string[] = [];
        for (const name of await readdir(dir)) {
          if (!name.endsWith(".json")) continue;
          const key = keyOf(name);
          if (key.startsWith(prefix) && (await readEntry(key)) !== undefined) keys.push(key);
        }
        return keys;
      });
    },
    close() {
      closed = true;
    },
  };
}
