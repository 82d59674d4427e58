import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { createConnection } from "mysql2/promise";
import pg from "pg";

/** A fresh temp folder and its removal (call it in `afterAll`/`finally`). */
export async function scratchDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sessionstore-runtimes-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A port nothing listens on (bound, then freed at once). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Deletes every Redis key starting with `prefix` (a literal prefix without glob characters). */
export async function dropRedisPrefix(prefix: string): Promise<number> {
  const client = createClient({ url: "redis://127.0.0.1:6379" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await client.unlink(keys);
    return keys.length;
  } finally {
    await client.close();
  }
}

/** A table name no other run uses, for the PostgreSQL and MySQL stores. */
export function uniqueTable(): string {
  return `ss_rt_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** Drops the tables the PostgreSQL and MySQL stores made for `table` (records, locks, changes). */
export async function dropSqlTables(table: string): Promise<void> {
  const postgres = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/test" });
  await postgres.connect();
  try {
    await postgres.query(`DROP TABLE IF EXISTS "${table}", "${table}_locks", "${table}_changes"`);
  } finally {
    await postgres.end();
  }
  const mysql = await createConnection({ uri: "mysql://root@127.0.0.1:3306/test" });
  try {
    await mysql.query(`DROP TABLE IF EXISTS \`${table}\`, \`${table}_locks\`, \`${table}_changes\``);
  } finally {
    await mysql.end();
  }
}
