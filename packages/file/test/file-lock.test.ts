import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { exited, watchLines } from "@sessionstore/testkit/support";
import { describe, expect, it, vi } from "vitest";
import { acquireFileLock } from "../src/internal/file-lock.js";
import { removeLockInstance } from "../src/internal/lock-break.js";
import { HOST } from "../src/internal/lock-dir.js";
import { bundleWorker, startWorker } from "./support/child.js";
import { tempDir } from "./support/temp-dir.js";

/** The pid of a process that has exited (reuse within a test is vanishingly unlikely). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

async function sessionsFile(label: string): Promise<{ dir: string; path: string; lockPath: string }> {
  const dir = await tempDir(label);
  const path = join(dir, "sessions.json");
  return { dir, path, lockPath: `${path}.lock` };
}

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1_000);

describe("the file lock every write takes", () => {
  it("a holder that died on this machine is recovered at once, even with a long lease", async () => {
    const { dir, path, lockPath } = await sessionsFile("dead-holder");
    const onCompromised = vi.fn();
    const held = await acquireFileLock({ lockPath, staleMs: 60_000, waitMs: 0, onCompromised });
    // Make the lock look like a process that was SIGKILLed while holding it.
    const ownerPath = join(lockPath, "owner.json");
    const owner = JSON.parse(readFileSync(ownerPath, "utf8")) as { pid: number };
    writeFileSync(ownerPath, JSON.stringify({ ...owner, pid: deadPid() }));

    const store = createFileStore({ path, lockStaleMs: 60_000, lockWaitMs: 2_000 });
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });

    // The old handle learns it lost the lock: reported once, never thrown from a timer, release harmless.
    await expect(held.verify()).rejects.toMatchObject({ code: "ECOMPROMISED" });
    await held.release();
    expect(onCompromised).toHaveBeenCalledTimes(1);
    await store.close();
    expect(readdirSync(dir)).toEqual(["sessions.json"]);
  });

  it("a live holder makes a write wait, then fail with ERR_STORE_UNAVAILABLE naming the lock", async () => {
    const { path, lockPath } = await sessionsFile("live-holder");
    const held = await acquireFileLock({ lockPath, staleMs: 60_000, waitMs: 0, onCompromised: () => undefined });
    const store = createFileStore({ path, lockWaitMs: 100 });
    const error = await store.set("k", { v: 1 }).catch((reason: unknown) => reason as Error);
    expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE", cause: { code: "ELOCKED" } });
    expect((error as Error).message).toContain(`${lockPath} is busy (held by pid ${process.pid})`);
    await held.release();
    await store.set("k", { v: 1 });
    await store.close();
  });

  it("a lock from another machine (its pid cannot be checked) is taken over only after lockStaleMs", async () => {
    const { path, lockPath } = await sessionsFile("remote-holder");
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "owner.json"), JSON.stringify({ pid: 1, host: "elsewhere|", token: "t" }));
    const patient = createFileStore({ path, lockStaleMs: 60_000, lockWaitMs: 50 });
    await expect(patient.set("k", { v: 1 })).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    utimesSync(lockPath, secondsAgo(5), secondsAgo(5));
    const store = createFileStore({ path, lockStaleMs: 1_000, lockWaitMs: 50 });
    await store.set("k", { v: 1 });
    await Promise.all([patient.close(), store.close()]);
  });

  it("a lock whose owner cannot be read is judged by its age alone", async () => {
    const { path, lockPath } = await sessionsFile("ownerless");
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "owner.json"), '{"pid":');
    const store = createFileStore({ path, lockStaleMs: 1_000, lockWaitMs: 50 });
    await expect(store.set("k", { v: 1 })).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    utimesSync(lockPath, secondsAgo(5), secondsAgo(5));
    await store.set("k", { v: 1 });
    await store.close();
  });

  it("a holder's heartbeat keeps a lock held longer than its lease from being taken over", async () => {
    const { lockPath } = await sessionsFile("heartbeat");
    const onCompromised = vi.fn();
    // Lease 800 ms, beat every ~270 ms: only a stall of the whole lease (not a busy machine's
    // timer lag) could let it lapse; held 2.5 leases, so without the beat it would be stale.
    const held = await acquireFileLock({ lockPath, staleMs: 800, waitMs: 0, onCompromised });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await expect(
      acquireFileLock({ lockPath, staleMs: 800, waitMs: 0, onCompromised: () => undefined }),
    ).rejects.toMatchObject({ code: "ELOCKED" });
    await held.verify();
    await held.release();
    expect(onCompromised).not.toHaveBeenCalled();
  });

  it("the next write removes what dead writers left (temp files, half-made locks), not what live ones use", async () => {
    const { dir, path } = await sessionsFile("leftovers");
    const dead = deadPid();
    writeFileSync(join(dir, `sessions.json.tmp-${dead}-0a1b`), '{"half":');
    writeFileSync(join(dir, `sessions.json.tmp-${process.pid}-0a1c`), "left by a writer that lost its lock");
    mkdirSync(join(dir, `sessions.json.lock.new-${dead}-aa`));
    mkdirSync(join(dir, `sessions.json.lock.old-${dead}-bb`));
    mkdirSync(join(dir, `sessions.json.lock.new-${process.pid}-cc`));
    writeFileSync(join(dir, "other.json.tmp-1-0a1d"), "not ours");
    const store = createFileStore({ path });
    await store.set("k", { v: 1 });
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(
      ["other.json.tmp-1-0a1d", "sessions.json", `sessions.json.lock.new-${process.pid}-cc`].sort(),
    );
  });
});

describe("breaking an abandoned lock never disturbs a newer holder", () => {
  it("a breaker acting on a stale view (the dead lock was already broken and retaken) leaves the new lock untouched", async () => {
    const { path, lockPath } = await sessionsFile("stale-breaker");
    const worker = await bundleWorker();
    // The lock a SIGKILLed writer left: its owner's pid is dead.
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "owner.json"), JSON.stringify({ pid: deadPid(), host: HOST, token: "dead-writer" }));
    const staleView = statSync(lockPath);
    // Another process breaks it and takes the lock (a real process, keeping its lock fresh).
    const holder = startWorker(worker, ["hold-file-lock", path], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = watchLines(holder);
    try {
      await lines.until("locked");
      const taken = statSync(lockPath, { bigint: true });
      expect(taken.ino).not.toBe(BigInt(staleView.ino));

      // We, having looked before that, now act on our stale view. Moving the lock away to check it
      // (and back) would open a window where a third process takes the lock beside the holder;
      // the directory must not even be renamed (a rename changes its ctime).
      const us = { pid: process.pid, host: HOST, token: "breaker" };
      const removed = await removeLockInstance(lockPath, { token: "dead-writer", ino: staleView.ino }, us, 10_000);
      expect(removed).toBe(false);
      const after = statSync(lockPath, { bigint: true });
      expect({ ino: after.ino, ctime: after.ctimeNs }).toEqual({ ino: taken.ino, ctime: taken.ctimeNs });

      // A third process cannot take it, and the holder still holds it.
      await expect(
        acquireFileLock({ lockPath, staleMs: 10_000, waitMs: 0, onCompromised: () => undefined }),
      ).rejects.toMatchObject({ code: "ELOCKED" });
      holder.stdin?.write("verify\n");
      await lines.until("verified ok");
      // Nothing left of the attempt but the lock itself.
      expect(readdirSync(dirname(path)).filter((entry) => entry.includes(".lock."))).toEqual([]);
    } finally {
      holder.kill("SIGKILL");
      await exited(holder);
    }
  });

  it("a removal claim whose holder died does not block breaking for good", async () => {
    const { dir, path, lockPath } = await sessionsFile("dead-claim");
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "owner.json"), JSON.stringify({ pid: deadPid(), host: HOST, token: "dead-writer" }));
    // A breaker killed between claiming the dead lock and removing it.
    const claim = `${path}.lock.break-dead-writer-0`;
    mkdirSync(claim);
    writeFileSync(join(claim, "owner.json"), JSON.stringify({ pid: deadPid(), host: HOST, token: "dead-breaker" }));
    const store = createFileStore({ path, lockWaitMs: 2_000 });
    await store.set("k", { v: 1 });
    expect(await store.get("k")).toEqual({ v: 1 });
    await store.close();
    // The writer swept the claim once the lock it guarded was gone.
    expect(readdirSync(dir)).toEqual(["sessions.json"]);
  });
});
