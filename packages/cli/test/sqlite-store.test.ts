import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "@sessionstore/sqlite";
import { describeRealStore } from "./support/real-store-scenario.js";

async function sqliteBackend(table?: string) {
  const dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-sqlite-"));
  const path = join(dir, "sessions.db");
  return {
    uri: `sqlite:${path}${table ? `?table=${table}` : ""}`,
    open: () => createSqliteStore({ path, ...(table ? { table } : {}) }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

describeRealStore("SQLite", () => sqliteBackend());
describeRealStore("SQLite (?table=)", () => sqliteBackend("cli_sessions"));
