/**
 * The lock directory itself: its owner file, how to look at it, when it is
 * abandoned, and the private side names it is prepared and removed under.
 */
import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { errorCode } from "./fs-errors.js";

/** Who holds a lock directory: written in it as owner.json before it becomes the lock. */
export interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

/** A lock directory as seen at one instant. */
export interface ObservedLock {
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
export const HELD_CODES = new Set([
  "EEXIST",
  "ENOTEMPTY",
  "ENOTDIR",
  ...(process.platform === "win32" ? ["EPERM"] : []),
]);

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

/** This machine and pid namespace: a pid is only judged dead when the owner's host is this one. */
export const HOST = currentHostIdentity();

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

/** The owner recorded in a lock directory; undefined when absent or torn. */
export async function readOwner(lockPath: string): Promise<Owner | undefined> {
  try {
    return parseOwner(await readFile(join(lockPath, OWNER_FILE), "utf8"));
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

/** The directory's inode, mtime and owner; undefined when it does not exist. */
export async function observe(lockPath: string): Promise<ObservedLock | undefined> {
  try {
    const info = await stat(lockPath);
    return { ino: info.ino, mtimeMs: info.mtimeMs, owner: await readOwner(lockPath) };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** Not refreshed for `staleMs`, or its owner is a dead process on this machine. */
export function isAbandoned(lock: ObservedLock, staleMs: number): boolean {
  if (Date.now() - lock.mtimeMs > staleMs) return true;
  const owner = lock.owner;
  return owner !== undefined && owner.host === HOST && !isProcessAlive(owner.pid);
}

/** A private name beside the lock, `<file>.lock.<mark><pid>-<random>`. */
export function sideName(lockPath: string, mark: (typeof LOCK_SIDE_MARKS)[number]): string {
  return `${lockPath.slice(0, -".lock".length)}${mark}${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** Makes the lock directory, owner file included, under a private name. */
export async function prepare(lockPath: string, owner: Owner): Promise<string> {
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
