/**
 * The SQLite watcher on a real database file when one of its reads fails
 * (the database busy, a disk hiccup): the change that read was about must
 * still be reported by a later poll, not lost until the next change.
 */
import { join } from "node:path";
import { createSqliteStore } from "@sessionstore/sqlite";
import { eventually } from "@sessionstore/testkit";
import { describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/internal/database.js";
import { createSqliteWatch } from "../src/internal/sqlite-watch.js";
import { tempDir } from "./support/temp-dir.js";

describe("sqlite watch: changes are not lost to a failed or late read", () => {
  it("a change whose snapshot read failed is reported by the next poll", async () => {
    const path = join(await tempDir("watch-retry"), "sessions.db");
    const writer = createSqliteStore({ path });
    await writer.set("k", { v: 1 });
    const database: Database = await openDatabase({ path, table: "sessions", busyTimeoutMs: 1_000 });
    let snapshots = 0;
    let failNextSnapshot = false;
    const watcher = createSqliteWatch({
      table: "sessions",
      pollMs: 10,
      // The watcher's own connection, with one snapshot read made to fail on demand.
      run: async (_operation, body) =>
        body({
          query: async (sql, parameters) => {
            if (sql.startsWith("SELECT key, value")) {
              snapshots += 1;
              if (failNextSnapshot) {
                failNextSnapshot = false;
                throw new Error("SQLITE_BUSY: database is locked");
              }
            }
            return database.query(sql, parameters);
          },
          close: () => database.close(),
        }),
    });
    const heard: string[] = [];
    const stop = watcher.watch(({ key }) => heard.push(key));
    try {
      await eventually(() => expect(snapshots).toBeGreaterThan(0)); // the baseline
      failNextSnapshot = true;
      const before = snapshots;
      await writer.set("k", { v: 2 });
      await eventually(() => expect(snapshots).toBeGreaterThan(before + 1)); // the failed read, then another
      await eventually(() => expect(heard).toEqual(["k"]));
    } finally {
      stop();
      watcher.close();
      await database.close();
      await writer.close();
    }
  });

  it("a change between this instance's read and the watch's first snapshot is reported (a late baseline)", async () => {
    const path = join(await tempDir("watch-late-baseline"), "sessions.db");
    const writer = createSqliteStore({ path });
    await writer.set("k", { v: 1 });
    const database: Database = await openDatabase({ path, table: "sessions", busyTimeoutMs: 1_000 });
    let releaseBaseline!: () => void;
    const baselineHeld = new Promise<void>((resolve) => {
      releaseBaseline = resolve;
    });
    const watcher = createSqliteWatch({
      table: "sessions",
      pollMs: 10,
      // The first snapshot waits for the test: a loaded machine's first poll, late.
      run: async (_operation, body) =>
        body({
          query: async (sql, parameters) => {
            if (sql.startsWith("SELECT key, value")) await baselineHeld;
            return database.query(sql, parameters);
          },
          close: () => database.close(),
        }),
    });
    const heard: string[] = [];
    const stop = watcher.watch(({ key }) => heard.push(key));
    try {
      // What the store's own read found (a client restoring its session), as sqlite-store reports it.
      const [row] = (await database.query("SELECT value FROM sessions WHERE key = ?1", ["k"])) as { value: string }[];
      watcher.seen("k", row?.value);
      await writer.set("k", { v: 2 }); // another process refreshes before the baseline is in
      releaseBaseline();
      await eventually(() => expect(heard).toEqual(["k"]));
    } finally {
      stop();
      watcher.close();
      await database.close();
      await writer.close();
    }
  });
});
