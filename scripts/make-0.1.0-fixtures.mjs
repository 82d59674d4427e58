/**
 * Writes the "records written by 0.1.0" fixtures that each store's
 * test/records-0.1.0.test.ts reads. It must run against the 0.1.0 release, not
 * this tree:
 *   git worktree add --detach /tmp/v010 c9064c6   # the 0.1.0 release commit
 *   cd /tmp/v010 && pnpm install && pnpm -r build
 *   cp <this file> reliability/ && cd reliability && node make-0.1.0-fixtures.mjs <out dir>
 * (reliability/ resolves every store package; local-storage is loaded from its dist.)
 * Needs Redis on 127.0.0.1:6379; the Redis keys it writes are dumped, then deleted.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { createMemoryStore, createSessionManager, withEncryption } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createKeyvStore } from "@sessionstore/keyv";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import Keyv from "keyv";
import { createLocalStorageStore } from "../packages/local-storage/dist/index.js";

const out = process.argv[2];
const FIVE_YEARS = 5 * 365 * 24 * 3600;
async function fill(store) {
  const m = createSessionManager(store, { namespace: "app" });
  await m.set(
    { access_token: "AT-010-user", refresh_token: "RT-010-user", expires_in: 3600, ref: { type: "user", id: 7 } },
    "password",
  );
  await m.set({ access_token: "AT-010-app", expires_in: FIVE_YEARS }, "app");
  const u = m.forSubject ? m.forSubject("alice") : m.subject?.("alice");
  if (u) await u.set({ access_token: "AT-010-alice", refresh_token: "RT-010-alice" }, "server");
  return m;
}
const dir = mkdtempSync(join(tmpdir(), "fx010-"));
// SQLite
{
  const s = createSqliteStore({ path: join(dir, "s.db") });
  await fill(s);
  await s.close();
  copyFileSync(join(dir, "s.db"), join(out, "sqlite-0.1.0.db"));
}
// file
{
  const s = createFileStore({ path: join(dir, "f.json") });
  await fill(s);
  await s.close();
  copyFileSync(join(dir, "f.json"), join(out, "file-0.1.0.json"));
}
// redis
{
  const ns = `fx010${process.pid}`;
  const s = createRedisStore({ url: "redis://127.0.0.1:6379", namespace: ns });
  await fill(s);
  await s.close();
  const c = createClient({ url: "redis://127.0.0.1:6379" });
  await c.connect();
  const keys = await c.keys(`${ns}*`);
  const dump = {};
  for (const k of keys) {
    if ((await c.type(k)) !== "string") continue;
    dump[k.slice(ns.length)] = { value: await c.get(k), pttl: await c.pTTL(k) };
    await c.del(k);
  }
  writeFileSync(join(out, "redis-0.1.0.json"), JSON.stringify({ namespace: ns, entries: dump }, null, 2));
  await c.quit();
}
// keyv (Map backend)
{
  const map = new Map();
  const s = createKeyvStore(new Keyv({ store: map }));
  await fill(s);
  await s.close?.();
  writeFileSync(join(out, "keyv-0.1.0.json"), JSON.stringify(Object.fromEntries(map), null, 2));
}
// local storage
{
  const data = new Map();
  const storage = {
    get length() {
      return data.size;
    },
    key: (i) => [...data.keys()][i] ?? null,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
    clear: () => data.clear(),
  };
  const s = createLocalStorageStore({ storage, locks: false });
  await fill(s);
  await s.close?.();
  writeFileSync(join(out, "local-storage-0.1.0.json"), JSON.stringify(Object.fromEntries(data), null, 2));
}
// encryption over memory
{
  const inner = createMemoryStore();
  const s = withEncryption(inner, { keys: { k1: Buffer.alloc(32, 7).toString("base64") }, activeKeyId: "k1" });
  await fill(s);
  const dump = {};
  for (const k of await inner.list("")) dump[k] = await inner.get(k);
  writeFileSync(
    join(out, "encrypted-0.1.0.json"),
    JSON.stringify({ key: Buffer.alloc(32, 7).toString("base64"), keyId: "k1", records: dump }, null, 2),
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(`0.1.0 fixtures written to ${out}`);
