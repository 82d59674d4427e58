import { stat } from "node:fs/promises";
import { type Awaitable, type SessionStore, SessionStoreError } from "@sessionstore/core";
import type { StoreUri } from "./store-uri.js";

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Bound for connecting and for each command, in milliseconds, so a dead
   * backend fails fast instead of hanging.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * Inspect only: a file store is opened with `readOnly: true`, so a command
   * that only reads (list, show) never writes, moves or creates anything,
   * even when it finds a corrupt file; a SQLite store is opened without the
   * purge of expired rows.
   * @default false
   */
  readOnly?: boolean;
}

/** Opens the store a URI names. Inject your own in `runCli`'s `io.openStore` (tests, other stores). */
export type StoreOpener = (uri: StoreUri, options: Required<OpenStoreOptions>) => Awaitable<SessionStore>;

/** Default bound of {@link OpenStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Opens the store a parsed URI names, loading its adapter package only then
 * (so `list` on a JSON file never loads the SQLite binding).
 *
 * A `sqlite:` or `file:` path must already exist: inspecting a mistyped path
 * must not create an empty store and report "no sessions".
 * @throws `ERR_STORE_UNAVAILABLE` when the file is missing or the adapter cannot be loaded.
 */
export async function openStore(uri: StoreUri, options: OpenStoreOptions = {}): Promise<SessionStore> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Half the bound for the adapter's own timeouts, so its (more precise) error
  // arrives before the CLI's overall one.
  const adapterTimeout = Math.max(1, Math.floor(timeoutMs / 2));
  switch (uri.kind) {
    case "sqlite": {
      await assertExistingFile(uri.path, "SQLite database");
      const { createSqliteStore } = await loadAdapter("@sessionstore/sqlite", () => import("@sessionstore/sqlite"));
      return createSqliteStore({
        path: uri.path,
        ...(uri.table === undefined ? {} : { table: uri.table }),
        busyTimeoutMs: adapterTimeout,
        // A CLI run is short: no purge timer; list/show (read-only) delete nothing, not even expired rows.
        purgeIntervalMs: 0,
        purgeOnOpen: options.readOnly !== true,
      });
    }
    case "file": {
      await assertExistingFile(uri.path, "session file");
      const { createFileStore } = await loadAdapter("@sessionstore/file", () => import("@sessionstore/file"));
      return createFileStore({ path: uri.path, lockWaitMs: adapterTimeout, readOnly: options.readOnly === true });
    }
    case "redis": {
      const { createRedisStore } = await loadAdapter("@sessionstore/redis", () => import("@sessionstore/redis"));
      return createRedisStore({
        ...(uri.nodes === undefined ? { url: uri.url } : { nodes: uri.nodes }),
        ...(uri.keyPrefix === undefined ? {} : { keyPrefix: uri.keyPrefix }),
        connectTimeoutMs: adapterTimeout,
        commandTimeoutMs: adapterTimeout,
      });
    }
  }
}

async function assertExistingFile(path: string, what: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new SessionStoreError(
        "ERR_STORE_UNAVAILABLE",
        `${what} ${path} does not exist; check the path (the CLI never creates a store)`,
      );
    }
    throw new SessionStoreError("ERR_STORE_UNAVAILABLE", `${what} ${path} cannot be read`, { cause: error });
  }
  if (!isFile) throw new SessionStoreError("ERR_STORE_UNAVAILABLE", `${what} ${path} is not a file`);
}

/**
 * The store packages are optional peers of the CLI (a Redis-only user does not
 * build SQLite's native driver): a missing one is named, with the command that
 * installs it.
 */
async function loadAdapter<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const reason = error instanceof Error ? error.message : String(error);
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && reason.includes(name)) {
      throw new SessionStoreError(
        "ERR_STORE_UNAVAILABLE",
        `this store needs ${name}, which is not installed: install it beside the CLI ` +
          `(npm install ${name}, pnpm add ${name}, or npm install -g ${name} for a global CLI)`,
        { cause: error },
      );
    }
    throw new SessionStoreError("ERR_STORE_UNAVAILABLE", `cannot load ${name}: ${reason}`, { cause: error });
  }
}
