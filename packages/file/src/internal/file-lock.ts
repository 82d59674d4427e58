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
import { randomBytes, randomUUID } from "node:crypto";
import { readlinkSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { sleep } from "@sessionstore/core";
import { errorCode } from "./fs-errors.js";

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
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

interface ObservedLock {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly owner: Owner | undefined;
}

const OWNER_FILE = "owner.json";
/**
 * Side names of lock directories, `<file>.lock.<mark><pid>-<random>`: being
 * prepared (`new-`) or on their way out (`old-`). A process killed at the
 * wrong instant leaves one; the next writer removes it (see removeLeftovers).
 */
export const LOCK_SIDE_MARKS = [".lock.new-", ".lock.old-"] as const;
/** Errors of `rename(dir, lockPath)` that mean "someone holds it". */
const HELD_CODES = new Set(["EEXIST", "ENOTEMPTY", "ENOTDIR", ...(process.platform === "win32" ? ["EPERM"] : [])]);

/**
 * The pid namespace matters as much as the host name: two containers sharing a
 * volume may have the same host name and different pid spaces, and a pid from
 * the other one must never be judged dead by us.
 */
function currentHostIdentity(): string {
  let pidNamespace = "";
  try {
    pidNamespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    // Not Linux: the host name alone identifies the pid space.
  }
  return `${hostname()}|${pidNamespace}`;
}

const HOST = currentHostIdentity();

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

function parseOwner(text: string | undefined): Owner | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.token === "string") {
      return { pid: value.pid, host: value.host, token: value.token };
    }
  } catch {
    // A torn owner file is treated as no owner: only the lease can free that lock.
  }
  return undefined;
}

async function readOwner(lockPath: string): Promise<Owner | undefined> {
  try {
    return parseOwner(await readFile(join(lockPath, OWNER_FILE), "utf8"));
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

async function observe(lockPath: string): Promise<ObservedLock | undefined> {
  try {
    const info = await stat(lockPath);
    return { ino: info.ino, mtimeMs: info.mtimeMs, owner: await readOwner(lockPath) };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function isAbandoned(lock: ObservedLock, staleMs: number): boolean {
  if (Date.now() - lock.mtimeMs > staleMs) return true;
  const owner = lock.owner;
  return owner !== undefined && owner.host === HOST && !isProcessAlive(owner.pid);
}

function sideName(lockPath: string, mark: (typeof LOCK_SIDE_MARKS)[number]): string {
  return `${lockPath.slice(0, -".lock".length)}${mark}${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** Makes the lock directory, owner file included, under a private name. */
async function prepare(lockPath: string, owner: Owner): Promise<string> {
  const prepared = sideName(lockPath, ".lock.new-");
  await mkdir(prepared, { mode: 0o700 });
  try {
    await writeFile(join(prepared, OWNER_FILE), JSON.stringify(owner), { mode: 0o600, flag: "wx" });
  } catch (error) {
    await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return prepared;
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

/**
 * Moves the lock directory away whole (so `lockPath` never exists empty or
 * without its owner) and deletes it, if it still is the one `expected`
 * describes; otherwise puts it back. Renaming is atomic: of two processes
 * moving the same directory only one succeeds.
 * @returns whether it was removed.
 */
async function removeIfSame(lockPath: string, expected: { ino?: number; token: string | undefined }): Promise<boolean> {
  const away = sideName(lockPath, ".lock.old-");
  try {
    await rename(lockPath, away);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
  const moved = await observe(away);
  const same =
    moved !== undefined &&
    moved.owner?.token === expected.token &&
    (expected.ino === undefined || moved.ino === expected.ino);
  if (!same) {
    // We moved a newer lock (someone broke and retook it first): give it back. If that fails its holder
    // finds out in verify() before committing.
    await rename(away, lockPath).catch(() => undefined);
  }
  await rm(away, { recursive: true, force: true });
  return same;
}

function lockBusyError(options: FileLockOptions, holder: ObservedLock | undefined): Error {
  const who = holder?.owner ? ` (held by pid ${holder.owner.pid})` : "";
  return Object.assign(new Error(`lock ${options.lockPath} is busy${who}: not acquired within ${options.waitMs} ms`), {
    code: "ELOCKED",
  });
}

function holdLock(options: FileLockOptions, token: string): FileLock {
  const { lockPath } = options;
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
        const owner = await readOwner(lockPath);
        if (owner?.token !== token || !(await removeIfSame(lockPath, { token }))) {
          markLost("it was no longer ours at release");
        }
      } catch (error) {
        markLost(`release failed: ${(error as Error).message}`);
      }
    },
  };
}

/**
 * Takes the lock, waiting up to `waitMs` for a live holder. An abandoned lock
 * (dead pid on this machine, or no refresh for `staleMs`) is broken at once.
 * @throws an `ELOCKED` error after `waitMs`; the file system's error when the directory is unusable.
 */
export async function acquireFileLock(options: FileLockOptions): Promise<FileLock> {
  const { lockPath } = options;
  const token = randomUUID();
  const owner: Owner = { pid: process.pid, host: HOST, token };
  const deadline = Date.now() + options.waitMs;
  let prepared = await prepare(lockPath, owner);
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (await tryTake(prepared, lockPath)) return holdLock(options, token);
      } catch (error) {
        // Our prepared directory was swept away as a leftover (we looked dead or stale): make another.
        if (errorCode(error) !== "ENOENT") throw error;
        prepared = await prepare(lockPath, owner);
        continue;
      }
      const holder = await observe(lockPath);
      if (holder === undefined) continue;
      if (isAbandoned(holder, options.staleMs)) {
        await removeIfSame(lockPath, { ino: holder.ino, token: holder.owner?.token });
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw lockBusyError(options, holder);
      // Jittered backoff: contenders from many processes spread out instead of polling in step.
      const ceiling = Math.min(2 ** Math.min(attempt, 5), 25);
      await sleep(Math.min(remaining, 1 + Math.random() * ceiling));
    }
  } finally {
    // Gone when we took the lock (renamed into place); removed otherwise.
    await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
  }
}
