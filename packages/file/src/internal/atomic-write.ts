/**
 * Crash-safe replacement of a file: readers and a crash at any instant see the
 * old content or the new one, whole. steno (lowdb's writer) renames too, but
 * with one temp name per path (two processes tear each other's temp file) and
 * no fsync (a power cut can leave a renamed, empty file).
 */
import { randomBytes } from "node:crypto";
import { open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { errorCode } from "./fs-errors.js";
import { BREAK_CLAIM_MARK } from "./lock-break.js";
import { isProcessAlive, LOCK_SIDE_MARKS } from "./lock-dir.js";

/** Temp files are `<name>.tmp-<pid>-<random>`: unique per writer, and the pid says whose. */
export const TEMP_MARK = ".tmp-";

/**
 * Flushes a directory entry change (the rename) to disk. Some platforms and
 * file systems cannot open or sync a directory: there durability is the
 * platform's, and we do not fail a write that already happened.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EBADF") {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `text` to a unique temp file beside `target` (mode 0600), fsyncs it,
 * calls `beforeCommit` (the last chance to abort: the caller checks it still
 * holds its lock), renames it over `target` and fsyncs the directory.
 */
export async function writeFileAtomic(target: string, text: string, beforeCommit: () => Promise<void>): Promise<void> {
  const dir = dirname(target);
  const temp = join(dir, `${basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeCommit();
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

function pidInName(rest: string): number | undefined {
  const pid = Number.parseInt(rest, 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Removes what a writer killed mid-write left beside `target`. Call it while
 * holding the file lock: only the holder writes temp files, so every temp file
 * present then belongs to a writer that died (or lost the lock, and must fail
 * anyway). Lock directories being prepared or removed (`.lock.new-`,
 * `.lock.old-`) belong to other processes working outside the lock: they are
 * removed only when their pid is dead or they are older than `staleMs`. Claims
 * to remove a lock instance (`.lock.break-`) go once that instance is gone.
 * @returns how many entries were removed.
 */
export async function removeLeftovers(target: string, staleMs: number, lockToken: string): Promise<number> {
  const dir = dirname(target);
  const name = basename(target);
  let removed = 0;
  for (const entry of await readdir(dir)) {
    let remove = entry.startsWith(`${name}${TEMP_MARK}`);
    if (entry.startsWith(`${name}${BREAK_CLAIM_MARK}`)) {
      // A claim to remove a lock instance that is gone (we hold the lock under another token) guards
      // nothing any more; one on our own lock stays. Inode-named claims go only once stale.
      const id = entry.slice(name.length + BREAK_CLAIM_MARK.length).replace(/-\d+$/, "");
      const info = id.startsWith("ino") ? await stat(join(dir, entry)).catch(() => undefined) : undefined;
      remove = id.startsWith("ino") ? info !== undefined && Date.now() - info.mtimeMs > staleMs : id !== lockToken;
    }
    const sideMark = LOCK_SIDE_MARKS.find((mark) => entry.startsWith(`${name}${mark}`));
    if (!remove && sideMark !== undefined) {
      const pid = pidInName(entry.slice(name.length + sideMark.length));
      const info = await stat(join(dir, entry)).catch(() => undefined);
      remove = pid === undefined || !isProcessAlive(pid) || (info !== undefined && Date.now() - info.mtimeMs > staleMs);
    }
    if (!remove) continue;
    await rm(join(dir, entry), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
