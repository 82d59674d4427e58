import { lockTimeoutError, sleep } from "./helpers.js";

/** What {@link pollLease} needs: one attempt at the lock, and how long to keep trying. */
export interface PollLeaseOptions {
  /** The lock's name, for the `ERR_LOCK_TIMEOUT` message. */
  readonly name: string;
  /** How long to keep trying, in milliseconds (`LockOptions.waitMs`). */
  readonly waitMs: number;
  /** Mean pause between attempts, in milliseconds; each pause is jittered to 0.5–1.5 times it. */
  readonly pollMs: number;
  /**
   * One atomic attempt: `true` when this caller now holds the lock. The lease
   * it writes is measured on the store's (injectable) clock, which is the
   * backend's business: every process sharing the lock must agree on it.
   */
  tryAcquire(): Promise<boolean> | boolean;
  /**
   * Called before every attempt; throws to stop waiting (the store closed:
   * `ERR_STORE_CLOSED`).
   */
  ensureOpen?(): void;
  /**
   * The pause between attempts (default: a timer). A store that can be closed
   * while someone waits passes one that also wakes at close.
   */
  pause?(ms: number): Promise<void>;
  /**
   * How long until the current holder's lease ends, in milliseconds, when
   * the backend knows it cheaply (a store in memory): the next attempt is not
   * put off past that moment.
   */
  leaseLeftMs?(): number | undefined;
}

/** The real clock, never an injected one: the wait must end even if a test froze the store's clock. */
const realNow: () => number =
  typeof globalThis.performance?.now === "function" ? () => globalThis.performance.now() : () => Date.now();

/**
 * The one lock wait loop. Tries `tryAcquire` until it succeeds or `waitMs`
 * passed on the real clock, pausing a jittered `pollMs` between attempts so
 * waiters in many processes do not knock in step. At least one attempt is
 * made, also with `waitMs: 0`.
 * @throws `ERR_LOCK_TIMEOUT` when the wait ran out; whatever `ensureOpen` or `tryAcquire` throws.
 */
export async function pollLease(options: PollLeaseOptions): Promise<void> {
  const { waitMs, pollMs } = options;
  const pause = options.pause ?? sleep;
  const deadline = realNow() + waitMs;
  for (;;) {
    options.ensureOpen?.();
    if (await options.tryAcquire()) return;
    const left = deadline - realNow();
    if (left <= 0) throw lockTimeoutError(options.name, waitMs);
    const leaseLeft = options.leaseLeftMs?.() ?? Number.POSITIVE_INFINITY;
    await pause(Math.max(1, Math.min(left, leaseLeft, pollMs * (0.5 + Math.random()))));
  }
}
