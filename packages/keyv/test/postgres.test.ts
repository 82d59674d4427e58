import type { SessionStore, SessionStoreError } from "@sessionstore/core";
import { createKeyvStore } from "@sessionstore/keyv";
import { closedPort } from "@sessionstore/testkit/support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresKeyv, rawValue, uniqueTable } from "./support/postgres.js";

const table = uniqueTable("keyv_pg");
const namespace = `ns${globalThis.crypto.randomUUID().slice(0, 8)}`;
const { adapter, keyv } = postgresKeyv(table, namespace);
const stores: SessionStore[] = [];
const record = { v: 1, auth: { accessToken: "secret-access-token", refreshToken: "secret-refresh" } };

beforeAll(async () => {
  // Fails fast (and clearly) if PostgreSQL is not there, instead of 30 failing tests.
  await adapter.query("SELECT 1");
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map(async (store) => store.close()));
});
afterAll(async () => {
  await adapter.query(`DROP TABLE IF EXISTS ${table}`);
  // No keyv.disconnect(): @keyv/postgres ends whichever pool its module global
  // holds now (the dead one's), not this instance's; the idle timeout closes ours.
});

function open(): SessionStore {
  const store = createKeyvStore({ keyv });
  stores.push(store);
  return store;
}

describe("keyv store on PostgreSQL (@keyv/postgres)", () => {
  it("writes one row per key, under '<namespace>:<key>', holding the record and its expiry", async () => {
    const store = open();
    const expiresAt = Date.now() + 60_000;
    await store.set("sessionstore:user_1:password", record, { expiresAt });
    const raw = await rawValue(adapter, table, `${namespace}:sessionstore:user_1:password`);
    expect(raw).toBeDefined();
    const entry = JSON.parse(raw as string) as { value: string; expires: number };
    expect(JSON.parse(entry.value)).toEqual({ expiresAt, record });
    expect(entry.expires).toBeGreaterThan(Date.now());
    expect(await store.get("sessionstore:user_1:password")).toEqual(record);
  });

  it("keeps keys of the longest allowed length (1024) when keySize leaves room", async () => {
    const store = open();
    const key = "k".repeat(1024);
    await store.set(key, record);
    expect(await store.get(key)).toEqual(record);
    expect(await store.list?.("kkk")).toEqual([key]);
    expect(await store.delete(key)).toBe(true);
  });

  it("a row Keyv cannot deserialize: list goes on past it and lists its key; get reports it corrupt", async () => {
    const store = open();
    await store.set("listbad:ok_1:password", record);
    await adapter.query(`INSERT INTO ${table} (key, value) VALUES ($1, $2)`, [
      `${namespace}:listbad:bad_1:password`,
      "not json {",
    ]);
    await store.set("listbad:ok_2:password", record);
    expect((await store.list?.("listbad:"))?.sort()).toEqual([
      "listbad:bad_1:password",
      "listbad:ok_1:password",
      "listbad:ok_2:password",
    ]);
    await expect(store.get("listbad:bad_1:password")).rejects.toMatchObject({ code: "ERR_CORRUPT_RECORD" });
    expect(await store.delete("listbad:bad_1:password")).toBe(true);
  });

  it("close() leaves the caller's Keyv connected", async () => {
    const store = open();
    await store.set("still-there", record);
    await store.close();
    expect(await open().get("still-there")).toEqual(record);
    expect(await keyv.get(`${namespace}:still-there`)).toBeDefined();
  });
});

describe("keyv store on a PostgreSQL that is not there", () => {
  const unhandled: unknown[] = [];
  const sentinel = (reason: unknown) => unhandled.push(reason);
  let dead: ReturnType<typeof postgresKeyv>;

  beforeAll(async () => {
    process.on("unhandledRejection", sentinel);
    dead = postgresKeyv(uniqueTable("dead"), "dead", `postgresql://postgres@127.0.0.1:${await closedPort()}/test`);
  });
  afterAll(() => {
    process.off("unhandledRejection", sentinel);
  });

  it("get, set, delete and list reject ERR_STORE_UNAVAILABLE (never undefined or [])", async () => {
    const store = createKeyvStore({ keyv: dead.keyv });
    stores.push(store);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["get", async () => store.get("k")],
      ["set", async () => store.set("k", record)],
      ["delete", async () => store.delete("k")],
      ["list", async () => store.list?.("")],
    ];
    for (const [name, run] of calls) {
      const outcome = await run().then(
        (value) => ({ resolved: value }),
        (error: unknown) => error as SessionStoreError,
      );
      expect(outcome, name).toMatchObject({ name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" });
      const error = outcome as SessionStoreError;
      expect(error.cause, name).toBeDefined();
      expect(error.message, name).not.toContain("secret");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  });

  it("the same Keyv without our store would have answered get() with undefined (the trap)", async () => {
    const { keyv: bare } = postgresKeyv(
      uniqueTable("bare"),
      "bare",
      POSTGRES_URL.replace("5432", String(await closedPort())),
    );
    expect(bare.throwOnErrors).toBe(false);
    expect(await bare.get("k")).toBeUndefined();
  });
});
