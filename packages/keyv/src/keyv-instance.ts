/**
 * The part of a [Keyv 5](https://keyv.org) instance the store uses. Typed by
 * shape rather than as the `Keyv` class, so an instance from another copy of
 * `keyv` (a dual ESM/CJS install, a different 5.x patch) still fits: the class
 * has private members, which would make two copies incompatible types.
 */
export interface KeyvInstance {
  /** `{ raw: true }` returns Keyv's entry (`{ value, expires }`), so the store can tell a corrupt entry from a missing one. */
  get(key: string, options: { raw: true }): Promise<unknown>;
  /** `ttl` is relative milliseconds; `0` means "no expiry" (it overrides Keyv's default ttl). */
  set(key: string, value: string, ttl?: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Present when the adapter can iterate (Keyv decides this when the instance is made). */
  iterator?: ((...arguments_: never[]) => AsyncGenerator<unknown, void>) | undefined;
  namespace: string | undefined;
  useKeyPrefix: boolean;
  throwOnErrors: boolean;
  /** The storage adapter (or `Map`). */
  readonly store: unknown;
  on(event: string, listener: (...arguments_: unknown[]) => void): unknown;
  off(event: string, listener: (...arguments_: unknown[]) => void): unknown;
}

/** Type guard: `value` looks like a Keyv instance (by shape, so it works across copies of `keyv`). */
export function isKeyvInstance(value: unknown): value is KeyvInstance {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof KeyvInstance | "opts", unknown>>;
  return (
    typeof candidate.get === "function" &&
    typeof candidate.set === "function" &&
    typeof candidate.delete === "function" &&
    typeof candidate.on === "function" &&
    typeof candidate.off === "function" &&
    typeof candidate.opts === "object" &&
    candidate.opts !== null &&
    "store" in candidate
  );
}
