import type KeyvSqlite from "@keyv/sqlite";
import { SessionStoreError } from "@sessionstore/core";

/** Where the install steps for the native SQLite driver are written down. */
export const SQLITE_INSTALL_DOCS =
  "https://github.com/sessionstore/sessionstore/blob/main/packages/sqlite/README.md#install";

/** What to run when `sqlite3`'s compiled binding is missing or built for another Node. */
export const SQLITE_DRIVER_HELP =
  'with pnpm, run "pnpm approve-builds" (allow sqlite3) and then "pnpm rebuild sqlite3"; ' +
  'with npm, run "npm rebuild sqlite3" (when your npm config sets allowScripts, allow sqlite3 first); ' +
  'with yarn, "yarn rebuild sqlite3"; building needs Python and a C++ toolchain when no prebuilt binary ' +
  `fits your platform. See ${SQLITE_INSTALL_DOCS}`;

let loading: Promise<typeof KeyvSqlite> | undefined;

/**
 * Loads @keyv/sqlite (and with it `sqlite3`'s native binding) on first use,
 * not when this package is imported: a missing binding (pnpm skips
 * `sqlite3`'s build script unless approved) then surfaces as our error, which
 * says what to run, instead of `bindings`' "Could not locate the bindings file".
 * A failed load is tried again by the next call (the user may have rebuilt meanwhile).
 * @throws `ERR_STORE_UNAVAILABLE` naming the driver and the command to run.
 */
export function loadSqliteDriver(): Promise<typeof KeyvSqlite> {
  // sqlite3 alone first (a CommonJS module): on Node 20, a failed import of the
  // ES module @keyv/sqlite whose CommonJS dependency threw resurfaces later as
  // an uncaught exception, even when the rejection was handled.
  loading ??= import("sqlite3").then(
    () => import("@keyv/sqlite").then((module) => module.default),
    (error: unknown) => {
      loading = undefined;
      throw driverMissing(error);
    },
  );
  return loading;
}

function driverMissing(error: unknown): SessionStoreError {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n", 1)[0] ?? "";
  return new SessionStoreError(
    "ERR_STORE_UNAVAILABLE",
    `the SQLite driver cannot be loaded: sqlite3 is a native module and its compiled binding is missing ` +
      `or does not fit this Node.js (${firstLine.slice(0, 120)}); ${SQLITE_DRIVER_HELP}`,
    { cause: error },
  );
}
