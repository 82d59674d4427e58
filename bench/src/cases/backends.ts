import KeyvPostgres from "@keyv/postgres";
import { createKeyvStore } from "@sessionstore/keyv";
import Keyv from "keyv";
import pg from "pg";
import { CALLERS, POSTGRES_URL, uniqueId } from "../fixtures.js";
import { rawPostgres } from "./baselines.js";
import type { BackendSpec } from "./stores.js";

/** Keyv on PostgreSQL (a unique table, dropped afterwards) beside raw `pg` queries. */
export const keyvPostgresSpec: BackendSpec = {
  group: "keyv-postgres",
  rawLabel: "raw pg",
  callers: [1, CALLERS],
  async open() {
    const table = `bench_keyv_${uniqueId()}`;
    const adapter = new KeyvPostgres({ uri: POSTGRES_URL, table });
    const keyv = new Keyv({ store: adapter });
    const store = createKeyvStore({ keyv });
    const raw = await rawPostgres();
    return {
      store,
      raw,
      async close() {
        await store.close();
        await raw.close();
        await adapter.disconnect();
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        try {
          await admin.query(`DROP TABLE IF EXISTS ${table}`);
        } finally {
          await admin.end();
        }
      },
    };
  },
};
