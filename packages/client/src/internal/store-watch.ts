import type { AuthObject } from "@sessionstore/core";
import { differs } from "./refresh.js";
import type { SessionSlot } from "./session-slot.js";

/** What the watcher reports back to its client. */
export interface SessionWatchHandlers {
  /** Another tab, process or instance deleted the session (a logout there). */
  ended(): void;
  /** Another one wrote a new pair (a refresh or sign-in there): it is adopted. */
  adopted(auth: AuthObject): void;
}

/**
 * Follows changes made elsewhere to this client's session when the store can
 * report them (`capabilities.watch`, e.g. localStorage across tabs), so a
 * logout in one tab ends the session in the others at once instead of at
 * their next refresh.
 * @returns a function that stops watching, or `undefined` when the store cannot watch.
 */
export function watchSession(slot: SessionSlot, handlers: SessionWatchHandlers): (() => void) | undefined {
  const { store } = slot;
  if (!store.capabilities.watch || typeof store.watch !== "function") return undefined;
  const key = slot.manager.keyFor(slot.authType);
  return store.watch((change) => {
    if (change.key !== key) return;
    slot.read().then(
      (stored) => {
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
  });
}
