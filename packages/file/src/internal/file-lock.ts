/**
 * A cross-process lock on one file, using proper-lockfile's strategy (a
 * directory `<file>.lock` that exists while the lock is held, kept fresh by
 * touching its mtime, judged abandoned after a lease) with two changes:
 * - the directory carries `owner.json` (pid, host, token) from the instant it
 *   appears: it is prepared under a private name and renamed into place, and
 *   renaming a directory onto a non-empty one fails, so taking the lock stays
 *   atomic. A holder killed with SIGKILL on this machine is then recovered at
 *   once (its pid is dead) instead of after the lease;
 * - a lost lock is reported, never thrown from a timer (proper-lockfile's
 *   default `onCompromised` crashes the process), and leases below 2 s work.
 */
import { randomUUID } from "node:crypto";
import { rename, rm, utimes } from "node:fs/promises";
import { SessionStoreError } from "@sessionstore/core";
import { pollLease } from "@sessionstore/core/adapter";
import { errorCode } from "./fs-errors.js";
import { removeLockInstance } from "./lock-break.js";
import {
  HELD_CODES,
  HOST,
  isAbandoned,
  type ObservedLock,
  type Owner,
  observe,
  prepare,
  readOwner,
} from "./lock-dir.js";

export { isProcessAlive, LOCK_SIDE_MARKS } from "./lock-dir.js";

/** Options for {@link acquireFileLock}. */
export interface FileLockOptions {
  /** The directory that is the lock, `<file>.lock`. */
  readonly lockPath: string;
  /** A lock not refreshed for this long is abandoned (its holder hung, or died on another machine). */
  readonly staleMs: number;
  /** How long to wait for a live holder before giving up with `ELOCKED`. */
  readonly waitMs: number;
  /** Told when the lock was taken from us while we held it. Must not throw (we guard it anyway). */
  readonly onCompromised: (error: Error) => void;
}

/** A held lock. */
export interface FileLock {
  /** Rejects with `ECOMPROMISED` when the lock is no longer ours: call it right before committing. */
  verify(): Promise<void>;
  /** Removes the lock if it is still ours. Never rejects. */
  release(): Promise<void>;
  /** This holder's token, as written in the lock's owner file. */
  readonly token: string;
}

async function tryTake(prepared: string, lockPath: string): Promise<boolean> {
  // Fresh mtime at the instant it becomes the lock, however long we waited.
  const now = new Date();
  await utimes(prepared, now, now);
  try {
    await rename(prepared, lockPath);
    return true;
  } catch (error) {
    if (HELD_CODES.has(errorCode(error) ?? "")) return false;
    throw error;
  }
}

function lockBusyError(options: FileLockOptions, holder: ObservedLock | undefined): Error {
  const who = holder?.owner ? ` (held by pid ${holder.owner.pid})` : "";
  return Object.assign(new Error(`lock ${options.lockPath} is busy${who}: not acquired within ${options.waitMs} ms`), {
    code: "ELOCKED",
  });
}

function holdLock(options: FileLockOptions, owner: Owner): FileLock {
  const { lockPath } = options;
  const { token } = owner;
  let lost: Error | undefined;
  let released = false;

  const markLost = (reason: string) => {
    if (lost) return lost;
    lost = Object.assign(new Error(`lock ${lockPath} was lost while held: ${reason}`), { code: "ECOMPROMISED" });
    clearInterval(heartbeat);
    try {
      options.onCompromised(lost);
    } catch {
      // Reporting must never crash the process (proper-lockfile's default throws from a timer).
    }
    return lost;
  };

  const checkOwnership = async () => {
    const owner = await readOwner(lockPath);
    if (owner?.token !== token) throw markLost("another process removed or took it (lease ran out?)");
  };

  // Keeps the mtime fresh so a long write (slow disk) is not mistaken for an abandoned lock.
  const heartbeat = setInterval(
    () => {
      void (async () => {
        if (released || lost) return;
        try {
          const owner = await readOwner(lockPath);
          // Released meanwhile: what we read may be the rename of our own release, not a loss.
          if (released || lost) return;
          if (owner?.token !== token) {
            markLost("another process removed or took it (lease ran out?)");
            return;
          }
          const now = new Date();
          await utimes(lockPath, now, now);
        } catch {
          // A failed read or touch is retried on the next beat; losing the lock is caught by verify().
        }
      })();
    },
    Math.max(10, Math.floor(options.staleMs / 3)),
  );
  heartbeat.unref();

  return {
    token,
    async verify() {
      if (lost) throw lost;
      await checkOwnership();
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (lost) return;
      try {
        const current = await readOwner(lockPath);
        if (current?.token !== token || !(await removeLockInstance(lockPath, { token }, owner, options.staleMs))) {
          markLost("it was no longer ours at release");
        }
      } catch (error) {
        markLost(`release failed: ${(error as Error).message}`);
      }
    },
  };
}

/**
 * Mean pause between attempts on a lock held by a live process. Short: a
 * holder keeps the lock for one read-modify-write (milliseconds). `pollLease`
 * jitters it, so contenders in many processes do not knock in step.
 */
const ATTEMPT_PAUSE_MS = 10;

/**
 * Takes the lock, waiting up to `waitMs` for a live holder. An abandoned lock
 * (dead pid on this machine, or no refresh for `staleMs`) is broken at once.
 * The wait is the kit's `pollLease` (deadline on the real clock). There is no
 * injected clock here on purpose: staleness compares the lock's mtime, set by
 * the file system, with this machine's real time, as every process sharing the
 * file must.
 * @throws an `ELOCKED` error after `waitMs`; the file system's error when the directory is unusable.
 */
export async function acquireFileLock(options: FileLockOptions): Promise<FileLock> {
  const { lockPath } = options;
  const token = randomUUID();
  const owner: Owner = { pid: process.pid, host: HOST, token };
  let prepared = await prepare(lockPath, owner);
  let holder: ObservedLock | undefined;

  // One attempt for pollLease: false only while a live process holds the lock. A prepared
  // directory swept away, a holder gone meanwhile, an abandoned lock broken: tried again at
  // once, as nobody is there to wait for.
  const attempt = async (): Promise<boolean> => {
    for (;;) {
      try {
        if (await tryTake(prepared, lockPath)) return true;
      } catch (error) {
        // Our prepared directory was swept away as a leftover (we looked dead or stale): make another.
        if (errorCode(error) !== "ENOENT") throw error;
        prepared = await prepare(lockPath, owner);
        continue;
      }
      holder = await observe(lockPath);
      if (holder === undefined) continue;
      if (!isAbandoned(holder, options.staleMs)) return false;
      await removeLockInstance(lockPath, { ino: holder.ino, token: holder.owner?.token }, owner, options.staleMs);
    }
  };

  try {
    await pollLease({ name: lockPath, waitMs: options.waitMs, pollMs: ATTEMPT_PAUSE_MS, tryAcquire: attempt });
    return holdLock(options, owner);
  } catch (error) {
    // The store reports a busy file as ERR_STORE_UNAVAILABLE (ELOCKED), not as a record lock's timeout.
    if (error instanceof SessionStoreError && error.code === "ERR_LOCK_TIMEOUT") throw lockBusyError(options, holder);
    throw error;
  } finally {
    // Gone when we took the lock (renamed into place); removed otherwise.
    await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
  }
}
