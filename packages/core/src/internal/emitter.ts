/**
 * A tiny typed event emitter that works in browsers (no `node:events`) and,
 * unlike Node's, never throws on an `'error'` event without listeners: callers
 * decide what an unheard error means. Used by the SessionManager and the
 * platform client; exported for packages built on core.
 */
export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const set = this.#listeners.get(event);
    // Events may be keys (the SessionManager announces writes by record key): keep no empty set behind.
    if (set?.delete(listener as Listener<never>) && set.size === 0) this.#listeners.delete(event);
  }

  /** Calls every listener; a listener that throws does not stop the others. @returns whether anyone listened. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    return true;
  }
}
