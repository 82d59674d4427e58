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

type WatchableStore = Required<Pick<SessionStore, "watch">>;

/** One store listener for every client of a store, handing each change to the clients of its key only. */
interface KeyDispatch {
  readonly byKey: Map<string, Set<() => void>>;
  /** Ends the store listener; set once `store.watch` returned. */
  unwatch: (() => void) | undefined;
}

// A change is handed to the clients of its key, not offered to every client of the store: a
// server holding 10,000 users' clients would otherwise run 10,000 listeners per change, and a
// watch that reports every kept key after a reconnect would run 10,000 × 10,000.
const dispatches = new WeakMap<WatchableStore, KeyDispatch>();

/**
 * Registers the client with its store's dispatch. Kept apart from
 * {@link watchSession} on purpose: closures made in one function share its
 * scope, so a callback made there would hold `target` strongly through the
 * returned function's scope.
 */
function subscribe(store: WatchableStore, key: string, weak: WeakRef<WatchTarget>): () => void {
  const existing = dispatches.get(store);
  const dispatch: KeyDispatch = existing ?? { byKey: new Map(), unwatch: undefined };
  if (!existing) dispatches.set(store, dispatch);
  const { byKey } = dispatch;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const callbacks = byKey.get(key);
    callbacks?.delete(notify);
    if (callbacks?.size === 0) byKey.delete(key);
    if (byKey.size > 0 || dispatches.get(store) !== dispatch) return;
    dispatches.delete(store);
    dispatch.unwatch?.();
  };
  const notify = () => {
    const live = weak.deref();
    if (!live) return stop();
    followChange(live.slot, live.handlers);
  };
  const callbacks = byKey.get(key) ?? new Set();
  byKey.set(key, callbacks.add(notify));
  // Registered before the store listener: a store may report at once, inside watch().
  if (!existing) {
    try {
      dispatch.unwatch = store.watch((change) => {
        const heard = byKey.get(change.key);
        if (heard) for (const callback of [...heard]) callback();
      });
    } catch (error) {
      // Not watching after all (a closed store): the next client tries again.
      if (dispatches.get(store) === dispatch) dispatches.delete(store);
      throw error;
    }
    // Every client left while the store reported at once: nobody is left to hear.
    if (dispatches.get(store) !== dispatch) dispatch.unwatch();
  }
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
        // Holding a rotated pair not yet written (the store was down): the store still has the pair it
        // replaced, whose refresh token is spent. The deferred write decides under the lock at the next
        // call: it lands over that pair, or yields to a logout or sign-in made meanwhile.
        if (slot.unsaved) return;
        const held = slot.current;
        if (!stored && held) {
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
