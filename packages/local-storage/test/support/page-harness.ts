/**
 * Runs inside Chromium (bundled by esbuild): keeps real stores in the page and
 * lets Node call them by id, so the tests drive the real localStorage.
 */
import * as core from "@sessionstore/core";
import { createLocalStorageStore, type LocalStorageStore, type LocalStorageStoreOptions } from "../../src/index.js";

/** How Node describes the store to make (functions and DOM objects cannot cross page.evaluate). */
export interface RemoteStoreSpec {
  prefix?: string;
  /** "local": window.localStorage; "detached": the localStorage of an iframe removed after creation (every call throws). */
  storage?: "local" | "session" | "detached";
  locks?: boolean;
}

/** An error as it crosses back to Node: enough to rebuild a SessionStoreError with its code and cause. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  field?: string;
  cause?: { name: string; message: string };
}

export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

function toWire(error: unknown): WireError {
  const { name, message, code, field, cause } = error as Partial<WireError> & { cause?: unknown };
  const wire: WireError = { name: String(name), message: String(message) };
  if (typeof code === "string") wire.code = code;
  if (typeof field === "string") wire.field = field;
  if (cause !== undefined) {
    const { name: causeName, message: causeMessage } = cause as { name?: unknown; message?: unknown };
    wire.cause = { name: String(causeName), message: String(causeMessage) };
  }
  return wire;
}

async function settle(run: () => unknown): Promise<WireResult> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: toWire(error) };
  }
}

/** A same-origin iframe and its real localStorage; removing the frame makes that Storage deny every call. */
async function openFrame(): Promise<{ frame: HTMLIFrameElement; storage: Storage }> {
  const frame = document.createElement("iframe");
  frame.src = "/blank.html";
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return { frame, storage: (frame.contentWindow as Window).localStorage };
}

let nextId = 1;
const stores = new Map<number, LocalStorageStore>();
const releases = new Map<number, () => Promise<void>>();
const watchers = new Map<number, () => void>();

declare global {
  interface Window {
    __harness: typeof harness;
    __sessionstore: typeof api;
    /** Exposed by Node (context.exposeFunction): delivers watch events. */
    __sessionstoreWatch?: (watchId: number, key: string) => Promise<void>;
  }
}

const harness = {
  /** Creates a store; a creation error comes back as a WireResult too. */
  async create(spec: RemoteStoreSpec = {}): Promise<WireResult> {
    const options: LocalStorageStoreOptions = {};
    if (spec.prefix !== undefined) options.prefix = spec.prefix;
    if (spec.locks === false) options.locks = false;
    if (spec.storage === "session") options.storage = sessionStorage;
    if (spec.storage === "detached") {
      const { frame, storage } = await openFrame();
      const store = createLocalStorageStore({ ...options, storage });
      // The frame goes away after creation: from now on the real Storage object denies every call.
      frame.remove();
      const id = nextId++;
      stores.set(id, store);
      return { ok: true, value: { id, capabilities: store.capabilities } };
    }
    return settle(() => {
      const store = createLocalStorageStore(options);
      const id = nextId++;
      stores.set(id, store);
      return { id, capabilities: store.capabilities };
    });
  },
  call(id: number, method: "get" | "set" | "delete" | "list" | "close", args: unknown[]): Promise<WireResult> {
    return settle(() => {
      const store = stores.get(id);
      if (!store) throw new Error(`no store ${id}`);
      return (store[method] as (...a: unknown[]) => unknown).apply(store, args);
    });
  },
  lock(id: number, key: string, options: unknown): Promise<WireResult> {
    return settle(async () => {
      const store = stores.get(id);
      if (!store?.lock) throw new Error(`store ${id} cannot lock`);
      const release = await store.lock(key, options as core.LockOptions);
      const releaseId = nextId++;
      releases.set(releaseId, release);
      return releaseId;
    });
  },
  release(releaseId: number): Promise<WireResult> {
    return settle(() => releases.get(releaseId)?.());
  },
  watch(id: number): WireResult {
    const store = stores.get(id);
    const watchId = nextId++;
    try {
      if (!store) throw new Error(`no store ${id}`);
      watchers.set(
        watchId,
        store.watch(({ key }) => void window.__sessionstoreWatch?.(watchId, key)),
      );
      return { ok: true, value: watchId };
    } catch (error) {
      return { ok: false, error: toWire(error) };
    }
  },
  unwatch(watchId: number): void {
    watchers.get(watchId)?.();
    watchers.delete(watchId);
  },
};

/** The libraries themselves, for tests that script a page directly. */
const api = { ...core, createLocalStorageStore, openFrame };

window.__harness = harness;
window.__sessionstore = api;
