/** Profiling aid: the SQLite store's set ×50, direct and through a SessionManager (not part of `pnpm bench`). */
import { join } from "node:path";
import { createSessionManager, encodeSession, normalizeAuthObject } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import { sampleAuth, subjects, tempDir } from "../fixtures.js";

const dir = tempDir("sqlite-set");
const store = createSqliteStore({ path: join(dir.path, "s.db") });
const auth = sampleAuth();
const record = encodeSession({ auth: normalizeAuthObject(auth, Date.now()), updatedAt: Date.now() });
const root = createSessionManager(store, { namespace: "p" });
const managers = subjects(50).map((subject) => root.forSubject(subject));
const time = async (label: string, body: () => Promise<unknown>) => {
  const rounds = 40;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) await body();
  console.log(label, (((performance.now() - started) / rounds) * 1000).toFixed(0), "µs per 50");
};
for (let pass = 0; pass < 2; pass += 1) {
  await time("store.set ×50", () => Promise.all(managers.map((m) => store.set(m.keyFor("password"), record))));
  await time("store.set ×50 no expiry", () =>
    Promise.all(managers.map((m) => store.set(m.keyFor("password"), record))),
  );
  await time("store.set ×50 fresh record", () =>
    Promise.all(
      managers.map((m) =>
        store.set(
          m.keyFor("password"),
          encodeSession({ auth: normalizeAuthObject(auth, Date.now()), updatedAt: Date.now() }),
        ),
      ),
    ),
  );
  await time("store.set ×50 via writes-like chain", () =>
    Promise.all(
      managers.map((m) =>
        Promise.resolve().then(async () => {
          await store.set(m.keyFor("password"), record);
        }),
      ),
    ),
  );
  await time("manager.set ×50", () => Promise.all(managers.map((m) => m.set(auth, "password"))));
  await time("manager.get ×50", () => Promise.all(managers.map((m) => m.get("password"))));
}
await store.close();
dir.remove();
