import type { StorageLike } from "../types.js";

/** Receives the raw storage key that changed, or `null` when the whole storage was cleared. */
export type RawChangeHandler = (storageKey: string | null) => void;

/** A change as the browser's `storage` event and same-document announcements carry it. */
interface StorageChange {
  readonly key: string | null;
  readonly storageArea: unknown;
}
type ChangeRoute = (change: StorageChange) => void;

/**
 * Store instances of this document: the browser's `storage` event only
 * reaches other documents, so writes by another instance in the same tab are
 * announced here.
 */
const sameDocument = new Map<RawChangeHandler, ChangeRoute>();

/**
 * Calls `handler` for changes to `storage` made by other tabs (the `storage`
 * event, which only fires for the real `localStorage`/`sessionStorage`) and by
 * other store instances in this document.
 * @returns a function that stops it.
 */
export function subscribe(storage: StorageLike, handler: RawChangeHandler): () => void {
  const route: ChangeRoute = (change) => {
    if (change.storageArea === storage) handler(change.key);
  };
  sameDocument.set(handler, route);
  // Only windows have the storage event; in a worker or on a server only same-document changes arrive.
  const target = globalThis as {
    addEventListener?(type: "storage", listener: ChangeRoute): void;
    removeEventListener?(type: "storage", listener: ChangeRoute): void;
  };
  target.addEventListener?.("storage", route);
  return () => {
    sameDocument.delete(handler);
    target.removeEventListener?.("storage", route);
  };
}

/** Tells this document's other instances watching `storage`, all but `own`, that `key` changed. */
export function announce(storage: StorageLike, key: string, own: ReadonlyMap<RawChangeHandler, unknown>): void {
  for (const [handler, route] of sameDocument) {
    // Deferred like the browser's event: a throwing listener must not fail the write that triggered it.
    if (!own.has(handler)) queueMicrotask(() => route({ key, storageArea: storage }));
  }
}
