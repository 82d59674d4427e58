import type { AuthType, LockOptions, SessionManager } from "@sessionstore/core";
import { fingerprintMatches } from "../fingerprint.js";

/**
 * Deletes the session at `authType` when it was written under another
 * configuration (its fingerprint does not match `fingerprint`): a changed
 * client secret, token, authorize or revoke URL, client id, scope or audience
 * makes the old tokens void, and leaving them in the store would keep a token
 * of the old configuration around for anyone reading it.
 *
 * Done under the session's lock, after reading it again there: a process that
 * already wrote a session of the current configuration keeps it. The delete
 * goes through the manager as the lock's holder (`heldLock`), like a logout.
 * @returns whether a record was deleted.
 */
export async function deleteIfOtherConfig(
  manager: SessionManager,
  authType: AuthType,
  fingerprint: string,
  lock: LockOptions,
): Promise<boolean> {
  const release = await manager.lock(authType, lock);
  try {
    const stored = await manager.read(authType);
    if (!stored || fingerprintMatches(stored.fingerprint, fingerprint)) return false;
    return await manager.delete(authType, { heldLock: release });
  } finally {
    await release();
  }
}
