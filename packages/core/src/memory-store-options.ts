import { invalidOption } from "./adapter/option-checks.js";

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Clock used for record expiry and lock leases, epoch milliseconds. A
   * waiting `lock` times out on the real clock whatever this is.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How often a waiting `lock` call checks again, in milliseconds (jittered).
   * @default 5
   */
  lockPollMs?: number;
}

/** Applies defaults and validates. @throws `ERR_INVALID_ARGUMENT` naming the option. */
export function readMemoryOptions(options: MemoryStoreOptions): { now: () => number; lockPollMs: number } {
  const { now = Date.now, lockPollMs = 5 } = options;
  if (typeof now !== "function") {
    throw invalidOption("options.now", "must be a function");
  }
  if (typeof lockPollMs !== "number" || !(lockPollMs >= 1) || !Number.isFinite(lockPollMs)) {
    throw invalidOption("options.lockPollMs", "must be a number of at least 1");
  }
  return { now, lockPollMs };
}
