import type { AuthObject, SessionStore } from "@sessionstore/core";
import { differs } from "./refresh.js";
import type { SessionSlot } from "./session-slot.js";

/** What the watcher reports back to its client. */
export interface SessionWatchHandlers {
  /** Another tab, process or instance deleted the session (a logout there). */
  ended(): void;
  /** Another one wrote a new pair (a refresh or sign-in there): it is adopted. */
  adopted(auth: AuthObject): void;
}

interface WatchTarget {
  readonly slot: SessionSlot;
  readonly handlers: SessionWatchHandlers;
}

// Stops the store watch of a client that was dropped without close(): a server
// making one client per request must not pile up listeners (and store reads).
const dropped = new FinalizationRegistry<() => void>((stop) => stop());

/**
 * Follows changes made elsewhere to this client's session when the store can
 * report them (`capabilities.watch`: Redis, SQLite and file across processes,
 * localStorage across tabs), so a logout in one process ends the session in
 * the others at once instead of at their next refresh, and a refresh is
 * adopted without a token call.
 *
 * The store holds the listener; the listener holds the client's slot and
 * handlers only weakly, so a client nobody references any more is collected
 * and its listener removed.
 * @returns a function that stops watching (hold it: it keeps the watch alive), or `undefined` when the store cannot watch.
 */
export function watchSession(slot: SessionSlot, handlers: SessionWatchHandlers): (() => void) | undefined {
  const store = slot.watchableStore;
  if (!store) return undefined;
  const target = { slot, handlers };
  const stop = subscribe(store, slot.storeKey, new WeakRef(target));
  dropped.register(target, stop, target);
  return () => {
    dropped.unregister(target);
    stop();
  };
}

/**
 * Registers the store listener. Kept apart from {@link watchSession} on
 * purpose: closures made in one function share its scope, so a listener made
 * there would hold `target` strongly through the returned function's scope.
 */
function subscribe(store: Required<Pick<SessionStore, "watch">>, key: string, weak: WeakRef<WatchTarget>): () => void {
  let stopped = false;
  let unsubscribe: () => void = () => undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
  };
  const watching = store.watch((change) => {
    if (change.key !== key) return;
    const live = weak.deref();
    if (!live) return stop();
    followChange(live.slot, live.handlers);
  });
  unsubscribe = watching;
  // A listener told at once (and already stopped) must still unsubscribe.
  if (stopped) unsubscribe();
  return stop;
}

/** Re-reads the store after a reported change and ends or adopts the session accordingly. */
function followChange(slot: SessionSlot, handlers: SessionWatchHandlers): void {
  slot.restored
    .then(() => slot.read())
    .then(
      (stored) => {
        // This client's own write read back before it settled: its save takes it and reports it.
        if (stored && slot.isSaving(stored)) return;
        const held = slot.current;
        if (!stored && held && !slot.unsaved) {
          slot.current = undefined;
          handlers.ended();
        } else if (stored && (!held || differs(stored, held))) {
          slot.current = stored;
          handlers.adopted(stored);
        }
      },
      // A failed re-read changes nothing: the next call reads the store again.
      () => undefined,
    );
}
