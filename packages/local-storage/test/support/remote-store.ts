/**
 * A Node-side SessionStore whose every call runs in a Chromium page against a
 * real localStorage store (page-harness.ts), errors mapped back with their
 * `code`, `field` and `cause`.
 */
import {
  type LockOptions,
  type ReleaseLock,
  type SessionStore,
  SessionStoreError,
  type SessionStoreErrorCode,
  type StoreCapabilities,
  type StoreChangeListener,
} from "@sessionstore/core";
import type { Page } from "playwright-core";
import type { BrowserHarness } from "./browser.js";
import type { RemoteStoreSpec, WireError, WireResult } from "./page-harness.js";

/** Where a remote store lives, for raw reads (`inspect`) and raw writes (`corrupt`). */
export interface RemoteStoreHandle {
  readonly page: Page;
  readonly id: number;
  readonly prefix: string;
}

const handles = new WeakMap<SessionStore, RemoteStoreHandle>();

/** The page and prefix behind a store made by {@link createRemoteStore}. */
export function remoteHandle(store: SessionStore): RemoteStoreHandle {
  const handle = handles.get(store);
  if (!handle) throw new Error("not a remote store");
  return handle;
}

/** Rebuilds the page's error in Node, keeping what callers branch on. */
export function fromWire(wire: WireError): Error {
  const cause = wire.cause && Object.assign(new Error(wire.cause.message), { name: wire.cause.name });
  if (wire.name === "SessionStoreError" && wire.code) {
    return new SessionStoreError(wire.code as SessionStoreErrorCode, wire.message, {
      ...(cause ? { cause } : {}),
      ...(wire.field ? { field: wire.field } : {}),
    });
  }
  return Object.assign(new Error(wire.message, cause ? { cause } : undefined), { name: wire.name });
}

function unwrap<T>(result: WireResult): T {
  if (!result.ok) throw fromWire(result.error);
  return result.value as T;
}

/**
 * Creates a store in `page` and returns its Node-side proxy. Creation errors
 * (no storage) reject here, with their code.
 */
export async function createRemoteStore(
  harness: BrowserHarness,
  page: Page,
  spec: RemoteStoreSpec = {},
): Promise<SessionStore> {
  const created = unwrap<{ id: number; capabilities: StoreCapabilities }>(
    await page.evaluate((s) => window.__harness.create(s), spec),
  );
  const { id, capabilities } = created;
  // watch() must return synchronously; later calls wait for the page to have registered it.
  let registered: Promise<unknown> = Promise.resolve();
  const invoke = async (method: "get" | "set" | "delete" | "list" | "close", args: unknown[]) => {
    await registered;
    return unwrap<never>(
      await page.evaluate(([i, m, a]) => window.__harness.call(i, m, a), [id, method, args] as const),
    );
  };
  const store: SessionStore = {
    capabilities,
    get: (key) => invoke("get", [key]),
    set: (key, record, options) => invoke("set", options === undefined ? [key, record] : [key, record, options]),
    delete: (key) => invoke("delete", [key]),
    close: () => invoke("close", []),
  };
  if (capabilities.list) store.list = (prefix) => invoke("list", [prefix]);
  if (capabilities.lock) {
    store.lock = async (key: string, options: LockOptions): Promise<ReleaseLock> => {
      await registered;
      const releaseId = unwrap<number>(
        await page.evaluate(([i, k, o]) => window.__harness.lock(i, k, o), [id, key, options] as const),
      );
      return async () => {
        unwrap(await page.evaluate((r) => window.__harness.release(r), releaseId));
      };
    };
  }
  if (capabilities.watch) {
    store.watch = (listener: StoreChangeListener) => {
      const watchId = page
        .evaluate((i) => window.__harness.watch(i), id)
        .then((result) => {
          const value = unwrap<number>(result);
          harness.watchListeners.set(value, (key) => listener({ key }));
          return value;
        });
      registered = registered.then(() => watchId);
      return () => {
        void watchId.then(async (value) => {
          harness.watchListeners.delete(value);
          await page.evaluate((w) => window.__harness.unwatch(w), value);
        });
      };
    };
  }
  handles.set(store, { page, id, prefix: spec.prefix ?? "sessionstore:" });
  return store;
}
