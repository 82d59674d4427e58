import type { KeyvInstance } from "../keyv-instance.js";

/** Yielded as the value of an entry Keyv could not deserialize. */
export const UNREADABLE_ENTRY: unique symbol = Symbol("sessionstore.keyv.unreadable");

type Iterate = () => AsyncGenerator<unknown, void>;

interface KeyvInternals {
  generateIterator(source: unknown): Iterate;
  deserializeData(raw: unknown): Promise<unknown>;
}

function hasInternals(keyv: unknown): keyv is KeyvInternals {
  const candidate = keyv as Partial<Record<keyof KeyvInternals, unknown>>;
  return typeof candidate.generateIterator === "function" && typeof candidate.deserializeData === "function";
}

/**
 * Keyv's own iterator, except that one entry it cannot deserialize yields
 * `[key, UNREADABLE_ENTRY]` instead of ending the whole iteration with a
 * SyntaxError (Keyv 5's iterator throws, so one bad entry hid every session).
 *
 * Built with Keyv's `generateIterator` over the same source Keyv uses (the
 * `Map`, or the adapter's `iterator`), on an object that inherits from the
 * instance and only replaces `deserializeData`: key prefixes, namespaces and
 * expiry stay Keyv's. Falls back to `keyv.iterator` when this Keyv lacks
 * those methods.
 */
export function tolerantIterator(keyv: KeyvInstance): Iterate | undefined {
  const plain = keyv.iterator as Iterate | undefined;
  if (!hasInternals(keyv)) return plain?.bind(keyv);
  const adapter = keyv.store as { iterator?: unknown } | Map<unknown, unknown>;
  const source =
    adapter instanceof Map
      ? adapter
      : typeof adapter.iterator === "function"
        ? (adapter.iterator as (...arguments_: unknown[]) => unknown).bind(adapter)
        : undefined;
  if (source === undefined) return plain?.bind(keyv);
  const tolerant = Object.create(keyv) as KeyvInternals;
  tolerant.deserializeData = async (raw: unknown) => {
    try {
      return await keyv.deserializeData(raw);
    } catch {
      return { value: UNREADABLE_ENTRY };
    }
  };
  return keyv.generateIterator.call(tolerant, source);
}
