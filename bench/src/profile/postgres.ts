/**
 * Profiling aid (not part of `pnpm bench`): the PostgreSQL store's get or set
 * through a SessionManager in a loop, 1 or 50 callers, for `node --cpu-prof`:
 *   cd bench && node --conditions=@sessionstore/source --import tsx --cpu-prof src/profile/postgres.ts set 50
 */
import { createSessionManager } from "@sessionstore/core";
import { createPostgresStore } from "@sessionstore/postgres";
import pg from "pg";
import { POSTGRES_URL, sampleAuth, subjects, uniqueId } from "../fixtures.js";

const op = process.argv[2] === "set" ? "set" : "get";
const callers = Number(process.argv[3] ?? 1);
const seconds = Number(process.argv[4] ?? 5);
const table = `bench_prof_${uniqueId()}`;
const store = createPostgresStore({ url: POSTGRES_URL, table });
try {
  const root = createSessionManager(store, { namespace: "prof" });
  const managers = subjects(callers).map((subject) => root.forSubject(subject));
  const auth = sampleAuth();
  for (const manager of managers) await manager.set(auth, "password");
  const until = performance.now() + seconds * 1000;
  let ops = 0;
  while (performance.now() < until) {
    await Promise.all(
      managers.map((manager) => (op === "get" ? manager.get("password") : manager.set(auth, "password"))),
    );
    ops += callers;
  }
  console.log(`${op} ×${callers}: ${Math.round(ops / seconds)} ops/s`);
} finally {
  await store.close();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP TABLE IF EXISTS "${table}_locks", "${table}"`);
  await admin.end();
}
