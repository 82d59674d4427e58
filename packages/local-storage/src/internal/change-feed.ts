import type { StorageLike } from "../types.js";

/** Receives the raw storage key that changed, or `null` when the whole storage was cleared. */
export type RawChangeHandler = (storageKey: string | null) => void;

/**
 * Store instances of this document that share one storage object. The
 * browser's `storage` event only reaches other documents, so writes by another
 * instance in the same tab are announced here.
 */
const sameDocument = new WeakMap<StorageLike, Set<RawChangeHandler>>();

interface StorageEventLike {
  readonly key: string | null;
  readonly storageArea: unknown;
}

interface EventTargetLike {
  addEventListener(type: "storage", listener: (event: StorageEventLike) => void): void;
  removeEventListener(type: "storage", listener: (event: StorageEventLike) => void): void;
}

function windowTarget(): EventTargetLike | undefined {
  const target = globalThis as Partial<EventTargetLike>;
  return typeof target.addEventListener === "function" && typeof target.removeEventListener === "function"
    ? (target as EventTargetLike)
    : undefined;
}

/**
 * Calls `handler` for changes to `storage` made by other tabs (the `storage`
 * event, which only fires for the real `localStorage`/`sessionStorage`) and by
 * other store instances in this document.
 * @returns a function that stops it.
 */
export function subscribe(storage: StorageLike, handler: RawChangeHandler): () => void {
  let handlers = sameDocument.get(storage);
  if (!handlers) {
    handlers = new Set();
    sameDocument.set(storage, handlers);
  }
  handlers.add(handler);
  const target = windowTarget();
  const onStorage = (event: StorageEventLike) => {
    if (event.storageArea === storage) handler(event.key);
  };
  target?.addEventListener("storage", onStorage);
  return () => {
    handlers.delete(handler);
    target?.removeEventListener("storage", onStorage);
  };
}

/** Tells the other instances of this document sharing `storage`, except `own`, that `storageKey` changed. */
export function announce(storage: StorageLike, storageKey: string, own: ReadonlySet<RawChangeHandler>): void {
  for (const handler of sameDocument.get(storage) ?? []) {
    // Deferred like the browser's event: a throwing listener must not fail the write that triggered it.
    if (!own.has(handler)) queueMicrotask(() => handler(storageKey));
  }
}
