import { withDeadline } from "./deadline.js";
import { RELEASE_SCRIPT, runLockScript, type ScriptRunner } from "./lock-scripts.js";

/** What the clean-up needs from the store. */
export interface StalledLockDeps {
  readonly commands: ScriptRunner;
  /** Resolves once the connection answers (rejects when it cannot within its own bound). */
  ready(): Promise<void>;
  isClosed(): boolean;
  commandTimeoutMs: number;
  lockPollMs: number;
  /** Waits `ms`, or less when the store closes. */
  pause(ms: number): Promise<void>;
}

/**
 * Returns `cleanUpLater(lockKey, token, leaseMs)`: for a lock whose `SET NX PX`
 * timed out client-side (Redis stalled, not refusing), the SET may still run
 * once Redis answers again and leave a lock with no holder for a full lease.
 * This compare-and-deletes it by its token once Redis answers: queued behind
 * that SET on the same connection, so it runs after it. Retried while the lease
 * could still stand; best effort, never thrown.
 */
export function stalledLockCleaner(deps: StalledLockDeps) {
  return (lockKey: string, token: string, leaseMs: number): void => {
    const giveUpAt = Date.now() + leaseMs;
    const attempt = async (): Promise<void> => {
      for (;;) {
        if (deps.isClosed()) return;
        try {
          await deps.ready();
          const bound = Math.max(deps.commandTimeoutMs, 5_000);
          await withDeadline("unlock", bound, runLockScript(deps.commands, RELEASE_SCRIPT, lockKey, [token]));
          return;
        } catch {
          if (Date.now() >= giveUpAt) return;
          await deps.pause(Math.min(deps.lockPollMs * 10, 1_000));
        }
      }
    };
    void attempt();
  };
}
