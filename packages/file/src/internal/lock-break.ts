/**
 * Removing one particular lock directory (an abandoned one, or our own at
 * release) without ever removing another.
 *
 * Moving `<file>.lock` away and checking afterwards is not enough: if the
 * directory was already a newer holder's, it is gone for an instant before it
 * can be put back, a third process takes the lock in that instant, and the
 * newer holder (its `verify()` already passed) commits beside the third one.
 *
 * So a remover first claims the right to remove that lock instance:
 * `<file>.lock.break-<token>-<n>`, made under a private name with its own
 * owner file and renamed into place (atomic, fails when it exists). Only the
 * holder of a claim checks the lock and moves it away, and nobody else
 * removes that lock instance meanwhile, so what it checked is what it moves.
 * A claim whose holder died (killed mid-break) is never removed while its
 * lock may exist: the next remover takes claim n + 1 instead, and only when
 * every lower claim is abandoned. Claims of lock instances that are gone are
 * swept by the next lock holder (see removeLeftovers).
 */
import { rename, rm } from "node:fs/promises";
import { errorCode } from "./fs-errors.js";
import { HELD_CODES, isAbandoned, type Owner, observe, prepare, sideName } from "./lock-dir.js";

/** Claims are `<file>.lock.break-<id>-<n>`, `<id>` naming the lock instance (its token, or `ino<inode>`). */
export const BREAK_CLAIM_MARK = ".lock.break-";

/** Which lock instance to remove: its owner's token, and its inode when known. */
export interface LockInstance {
  readonly token: string | undefined;
  readonly ino?: number;
}

/** The `<id>` of the claims on a lock instance. Tokens are UUIDs, so safe in a file name. */
export function claimId(instance: LockInstance): string {
  return instance.token ?? `ino${instance.ino ?? "unknown"}`;
}

const MAX_CLAIMS = 32;

async function takeClaim(lockPath: string, instance: LockInstance, owner: Owner, staleMs: number) {
  const base = `${lockPath.slice(0, -".lock".length)}${BREAK_CLAIM_MARK}${claimId(instance)}-`;
  for (let number = 0; number < MAX_CLAIMS; number += 1) {
    const claim = `${base}${number}`;
    const prepared = await prepare(lockPath, owner);
    try {
      await rename(prepared, claim);
      return claim;
    } catch (error) {
      await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
      if (!HELD_CODES.has(errorCode(error) ?? "")) throw error;
    }
    const other = await observe(claim);
    // Swept meanwhile: the lock instance it was for is gone, so there is nothing to remove.
    if (other === undefined) return undefined;
    // Someone alive is removing it: let them.
    if (!isAbandoned(other, staleMs)) return undefined;
  }
  return undefined;
}

/**
 * Removes the lock directory at `lockPath` if it still is `instance`.
 * @returns whether it was removed (false: it was not that instance any more, or another process is removing it).
 */
export async function removeLockInstance(
  lockPath: string,
  instance: LockInstance,
  owner: Owner,
  staleMs: number,
): Promise<boolean> {
  const claim = await takeClaim(lockPath, instance, owner, staleMs);
  if (claim === undefined) return false;
  try {
    const current = await observe(lockPath);
    const same =
      current !== undefined &&
      current.owner?.token === instance.token &&
      (instance.ino === undefined || current.ino === instance.ino);
    if (!same) return false;
    // Nobody else removes this instance while we hold its claim, and a lock is only ever replaced
    // after being removed: what we checked is what we move. Moved whole, so `lockPath` never
    // exists empty or without its owner.
    const away = sideName(lockPath, ".lock.old-");
    try {
      await rename(lockPath, away);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return false;
      throw error;
    }
    await rm(away, { recursive: true, force: true });
    return true;
  } finally {
    await rm(claim, { recursive: true, force: true }).catch(() => undefined);
  }
}
