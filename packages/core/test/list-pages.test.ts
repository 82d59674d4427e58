import {
  createMemoryStore,
  createSessionManager,
  isSessionStoreError,
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
