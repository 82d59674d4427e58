import {
  createMemoryStore,
  createSessionManager,
  isSessionStoreError,
  type ListPageOptions,
  type MemoryStore,
  type SessionInfo,
  type SessionStore,
} from "@sessionstore/core";
import { describe, expect, it } from "vitest";

async function managerWith(count: number) {
  const store = createMemoryStore();
  const root = createSessionManager(store, { namespace: "pages" });
  for (let index = 0; index < count; index += 1) {
    await root.forSubject(`user-${index}`).set({ accessToken: `at-${index}`, refreshToken: `rt-${index}` }, "server");
  }
  return { store, root };
}

/** A real memory store whose list, listPage and get calls are counted; `paging: false` hides listPage. */
function counted(store: MemoryStore, { paging = true, pageLimit }: { paging?: boolean; pageLimit?: number } = {}) {
  const calls = { list: 0, listPage: 0, get: 0 };
  const wrapped: SessionStore = {
    capabilities: { ...store.capabilities, listPage: paging },
    get: (key) => {
      calls.get += 1;
      return store.get(key);
    },
    set: (key, record, options) => store.set(key, record, options),
    delete: (key) => store.delete(key),
    list: (prefix) => {
      calls.list += 1;
      return store.list(prefix);
    },
    close: () => store.close(),
    ...(paging
      ? {
          listPage: (prefix: string, options: ListPageOptions) => {
            calls.listPage += 1;
            // A smaller limit than asked: pages must still come out pageSize long.
            return store.listPage(prefix, pageLimit === undefined ? options : { ...options, limit: pageLimit });
          },
        }
      : {}),
  };
  return { calls, manager: createSessionManager(wrapped, { namespace: "pages" }) };
}

describe("SessionManager.listPages over a paging store", () => {
  it("the first page costs one listPage call and one page of reads, never a full list", async () => {
    const { store } = await managerWith(250);
    const { calls, manager } = counted(store);
    for await (const page of manager.listPages({ pageSize: 100 })) {
      expect(page).toHaveLength(100);
      break;
    }
    expect(calls).toEqual({ list: 0, listPage: 1, get: 100 });
  });

  it("cuts pages of pageSize from batches of another size, and lists every session once", async () => {
    const { store, root } = await managerWith(250);
    const { calls, manager } = counted(store, { pageLimit: 7 });
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of manager.listPages({ pageSize: 100 })) {
      sizes.push(page.length);
      seen.push(...page.map((info) => info.key));
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(calls.list).toBe(0);
    expect(calls.listPage).toBe(Math.ceil(250 / 7));
    expect(seen.sort()).toEqual((await root.list()).map((info) => info.key).sort());
    expect(new Set(seen).size).toBe(250);
  });

  it("list() and clear() go through pages too", async () => {
    const { store } = await managerWith(30);
    const { calls, manager } = counted(store);
    expect(await manager.list()).toHaveLength(30);
    expect(await manager.clear()).toBe(30);
    expect(calls.list).toBe(0);
    expect(calls.listPage).toBeGreaterThanOrEqual(2);
  });

  it("list() gives a key a paging walk repeated (SCAN does) once", async () => {
    const { store } = await managerWith(5);
    let first = true;
    const repeating: SessionStore = {
      ...store,
      listPage: async (prefix: string, options: ListPageOptions) => {
        const page = await store.listPage(prefix, { ...options, limit: 3 });
        // The second page starts again with the first page's last key.
        if (!first || page.cursor === undefined) return page;
        first = false;
        return { keys: page.keys, cursor: page.keys[1] };
      },
    } as SessionStore;
    const manager = createSessionManager(repeating, { namespace: "pages" });
    const keys = (await manager.list()).map((info) => info.key);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(5);
  });

  it("falls back to one list() call when the store cannot page", async () => {
    const { store, root } = await managerWith(250);
    const { calls, manager } = counted(store, { paging: false });
    const sizes: number[] = [];
    for await (const page of manager.listPages({ pageSize: 100 })) sizes.push(page.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(calls).toEqual({ list: 1, listPage: 0, get: 250 });
    expect(await manager.list()).toHaveLength((await root.list()).length);
  });
});

describe("SessionManager.listPages", () => {
  it("yields every session a page at a time, the same sessions list() returns", async () => {
    const { root } = await managerWith(250);
    const sizes: number[] = [];
    const seen: SessionInfo[] = [];
    for await (const page of root.listPages({ pageSize: 100 })) {
      sizes.push(page.length);
      seen.push(...page);
    }
    expect(sizes).toEqual([100, 100, 50]);
    const listed = await root.list();
    expect(listed).toHaveLength(250);
    expect(new Set(seen.map((info) => info.key))).toEqual(new Set(listed.map((info) => info.key)));
    expect(seen.every((info) => info.refreshable && info.authType === "server")).toBe(true);
    // Never a token value.
    expect(JSON.stringify(seen)).not.toMatch(/at-\d|rt-\d/);
  });

  it("stops reading when the caller breaks out", async () => {
    const { store } = await managerWith(30);
    let reads = 0;
    const counting: SessionStore = {
      ...store,
      get: (key) => {
        reads += 1;
        return store.get(key);
      },
    } as SessionStore;
    const manager = createSessionManager(counting, { namespace: "pages" });
    for await (const page of manager.listPages({ pageSize: 10 })) {
      expect(page).toHaveLength(10);
      break;
    }
    expect(reads).toBe(10);
  });

  it("reports an unreadable record as corrupt and keeps going", async () => {
    const { store, root } = await managerWith(3);
    await store.set("pages:user-1:server", { v: 1, auth: "garbage", updatedAt: 1 });
    const pages = [];
    for await (const page of root.listPages({ pageSize: 2 })) pages.push(...page);
    expect(pages).toHaveLength(3);
    expect(pages.find((info) => info.subject === "user-1")).toMatchObject({ corrupt: true, refreshable: false });
  });

  it("refuses a bad pageSize at the call, naming the field", async () => {
    const { root } = await managerWith(1);
    for (const pageSize of [0, -1, 1.5, Number.NaN]) {
      let caught: unknown;
      try {
        root.listPages({ pageSize });
      } catch (error) {
        caught = error;
      }
      expect(isSessionStoreError(caught, "ERR_INVALID_ARGUMENT")).toBe(true);
      expect((caught as { field?: string }).field).toBe("options.pageSize");
    }
  });

  it("rejects ERR_UNSUPPORTED on a store that cannot list", async () => {
    const store = createMemoryStore();
    const noList = { ...store, capabilities: { ...store.capabilities, list: false } } as SessionStore;
    const pages = createSessionManager(noList).listPages();
    await expect(pages.next()).rejects.toMatchObject({ code: "ERR_UNSUPPORTED" });
  });
});
