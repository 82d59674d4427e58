/** Profiling aid: plain @keyv/sqlite set ×50 with and without WAL (not part of `pnpm bench`). */
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import Keyv from "keyv";
import { tempDir } from "../fixtures.js";

const dir = tempDir("wal");
for (const mode of ["DELETE", "WAL", "DELETE", "WAL"]) {
  const adapter = new KeyvSqlite({ uri: `sqlite://${join(dir.path, `${mode}-${Math.random()}.db`)}` });
  const keyv = new Keyv({ store: adapter });
  await adapter.query(`PRAGMA journal_mode = ${mode}`);
  const value = "x".repeat(600);
  const rounds = 40;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all(Array.from({ length: 50 }, (_, index) => keyv.set(`k${index}`, value)));
  }
  console.log(mode, (((performance.now() - started) / rounds) * 1000).toFixed(0), "µs per 50 sets");
  await keyv.disconnect();
}
dir.remove();
