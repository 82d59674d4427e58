import { assertLockOptions, lockTimeoutError, randomLockToken, sleep } from "../adapter-kit.js";
import type { LockOptions, ReleaseLock } from "../store.js";

/** In-process locks with leases, by name: the memory store's `lock`. */
export interface LeaseLocks {
  lock(key: string, options: LockOptions, ensureOpen?: () => void): Promise<ReleaseLock>;
  clear(): void;
}

/** Creates a set of lease locks on the clock `now`, polling every `pollMs` while waiting. */
export function createLeaseLocks(now: () => number, pollMs: number): LeaseLocks {
  const held = new Map<string, { token: string; expiresAt: number }>();
  return {
    async lock(key, options, ensureOpen) {
      const { ttlMs, waitMs } = assertLockOptions(options);
      const token = randomLockToken();
      const deadline = now() + waitMs;
      for (;;) {
        ensureOpen?.();
        const holder = held.get(key);
        if (!holder || holder.expiresAt <= now()) {
          held.set(key, { token, expiresAt: now() + ttlMs });
          return async () => {
            if (held.get(key)?.token === token) held.delete(key);
          };
        }
        if (now() >= deadline) throw lockTimeoutError(key, waitMs);
        await sleep(Math.max(1, Math.min(pollMs, deadline - now(), holder.expiresAt - now())));
      }
    },
    clear() {
      held.clear();
    },
  };
}
