/**
 * The newest entry of each busy key, for keys that get an entry and lose it
 * many times a second (every write of a session): the part of `Map` the write
 * path uses. A plain `Map` with a `delete` per write made V8 shrink its table
 * and grow it again a few writes later: with 50 writes in flight the plain
 * Maps took 1.2–1.3× the time per SessionManager write (same-process A/B).
 * Here `delete` keeps the key, holding `undefined`, and ended keys are
 * dropped together once they outnumber the busy ones and the map holds 64 or
 * more, so it stays small. The browser build uses `Map` itself
 * (`latest-by-key.browser.ts`): a tab writes a few times an hour.
 */
export class LatestByKey<V> {
  readonly #entries = new Map<string, V | undefined>();
  #busy = 0;

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** `value` is never `undefined`. */
  set(key: string, value: V): this {
    const entries = this.#entries;
    if (entries.get(key) === undefined) {
      this.#busy += 1;
      if (entries.size >= 64 && entries.size >= 2 * this.#busy)
        for (const [ended, entry] of entries) if (entry === undefined) entries.delete(ended);
    }
    entries.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    if (this.#entries.get(key) === undefined) return false;
    this.#entries.set(key, undefined);
    this.#busy -= 1;
    return true;
  }

  /** Keys with an entry. */
  get size(): number {
    return this.#busy;
  }

  /** Keys kept, ended ones included (for leak checks). */
  get held(): number {
    return this.#entries.size;
  }
}
