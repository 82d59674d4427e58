import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { exited, printed, watchLines } from "@sessionstore/testkit/support";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, runWorker, startWorker } from "./support/child.js";
import { tempDir } from "./support/temp-dir.js";

let worker: string;
beforeAll(async () => {
  worker = await bundleWorker();
});

/** Kills the proof needs, rounds in which a committed write then survived a kill, and the time bound. */
const KILLS = 100;
const MIN_ADVANCED = 30;
const TIME_BOUND_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counter the file holds right now, read raw (no store, no lock): 0 before the first write. */
function committedCounter(path: string): number {
  if (!existsSync(path)) return 0;
  const document = JSON.parse(readFileSync(path, "utf8")) as { records: Record<string, { record: string }> };
  const entry = document.records.counter;
  return entry === undefined ? 0 : (JSON.parse(entry.record) as { value: number }).value;
}

/** What a killed counter worker logged: values it started writing, and the last one whose write resolved. */
function workerLog(log: string): { started: Set<number>; lastDone: number | undefined } {
  const started = new Set<number>();
  let lastDone: number | undefined;
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const [kind, value] = line.split(" ");
    if (kind === "s") started.add(Number(value));
    if (kind === "d") lastDone = Number(value);
  }
  return { started, lastDone };
}

describe("several processes on one file", () => {
  it("N processes × M writes of distinct keys: every key is present, nothing left beside the file", async () => {
    const dir = await tempDir("procs");
    const path = join(dir, "sessions.json");
    const processes = 4;
    const writes = 40;
    await Promise.all(
      Array.from({ length: processes }, (_, worker_) =>
        runWorker(worker, ["distinct", path, String(worker_), `${writes}`]),
      ),
    );
    const store = createFileStore({ path });
    const keys = await store.list("w");
    expect(keys).toHaveLength(processes * writes);
    for (let id = 0; id < processes; id += 1) {
      for (let index = 0; index < writes; index += 1) {
        expect(await store.get(`w${id}:${index}`)).toEqual({ v: 1, worker: String(id), index });
      }
    }
    await store.close();
    expect(readdirSync(dir)).toEqual(["sessions.json"]);
  });

  it(
    "a writer SIGKILLed at random ≥100 times: the file always parses, holds a value really written, no litter",
    async () => {
      const dir = await tempDir("kill");
      const logs = await tempDir("kill-logs");
      const path = join(dir, "sessions.json");
      const started = Date.now();
      // Workers boot ahead of their round, a few at a time: node's start-up is most of a round, and
      // on a loaded machine one booting worker cannot keep up.
      const boot = (round: number) => {
        const log = join(logs, `worker-${round}.log`);
        writeFileSync(log, "");
        const child = startWorker(worker, ["counter", path, log], { stdio: ["pipe", "pipe", "inherit"] });
        return { log, child, lines: watchLines(child) };
      };
      const booting = Array.from({ length: 4 }, (_, round) => boot(round));
      let kills = 0;
      let killedHoldingLock = 0;
      let killedWithTempFile = 0;
      let advanced = 0;
      let previous = 0;
      // Proof needs all of these, whatever the machine's speed: enough kills, enough rounds where a
      // committed write then survived a kill, and kills that really landed mid-write. Rounds go on
      // until every one is met or the time bound (generous: at load 4 a round is ~10x slower) runs out.
      const proven = () =>
        kills >= KILLS && advanced >= MIN_ADVANCED && killedHoldingLock > 0 && killedWithTempFile > 0;
      try {
        while (!proven() && Date.now() - started < TIME_BOUND_MS) {
          const { log, child, lines } = booting.shift() as ReturnType<typeof boot>;
          booting.push(boot(kills + booting.length + 1));
          child.stdin?.write("go\n");
          // Killed as it begins its k-th write (k-1 writes committed before), by events, not by a timer:
          // k = 1 kills before any commit, larger k after some, and a short random delay moves the kill
          // anywhere inside the write (lock, temp file, fsync, rename).
          const writeToKillIn = 1 + Math.floor(Math.random() * 3);
          await lines.until(`begin ${writeToKillIn}`);
          if (Math.random() < 0.5) await sleep(Math.random() * 5);
          child.kill("SIGKILL");
          await exited(child);
          kills += 1;

          const entries = readdirSync(dir);
          if (entries.includes("sessions.json.lock")) killedHoldingLock += 1;
          const temps = entries.filter((entry) => entry.includes(".tmp-"));
          if (temps.length > 0) killedWithTempFile += 1;
          // The next writer sweeps what the previous kill left: leftovers never pile up.
          expect(temps.length).toBeLessThanOrEqual(1);

          const value = committedCounter(path);
          const { started: begun, lastDone } = workerLog(log);
          if (value !== previous) expect(begun.has(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(lastDone ?? previous);
          expect(value).toBeGreaterThanOrEqual(previous);
          if (value > previous) advanced += 1;
          previous = value;
        }
      } finally {
        for (const idle of booting) idle.child.kill("SIGKILL");
        await Promise.all(booting.map((idle) => exited(idle.child)));
      }
      const elapsed = Date.now() - started;
      expect(
        { kills, advanced, killedHoldingLock: killedHoldingLock > 0, killedWithTempFile: killedWithTempFile > 0 },
        `not proven within ${elapsed} ms (time bound ${TIME_BOUND_MS} ms): the machine is too loaded`,
      ).toEqual({
        kills: Math.max(kills, KILLS),
        advanced: Math.max(advanced, MIN_ADVANCED),
        killedHoldingLock: true,
        killedWithTempFile: true,
      });

      // The next writer recovers the dead writer's lock at once and cleans its temp file; the last
      // committed value (> 0: writes committed before kills are proven above) survived every kill.
      const store = createFileStore({ path, lockWaitMs: 2_000 });
      await store.set("after", { v: 1 });
      expect(await store.get("counter")).toMatchObject({ value: previous });
      await store.close();
      expect(readdirSync(dir)).toEqual(["sessions.json"]);
      console.info(
        `[file store] ${kills} kills in ${elapsed} ms; ${advanced} after committed writes, ${killedHoldingLock} while ` +
          `holding the lock, ${killedWithTempFile} with a temp file written; last value ${previous}`,
      );
    },
    TIME_BOUND_MS + 30_000,
  );

  it("a lock() holder SIGKILLed: the lock stays taken until its lease ends, then the next caller gets it", async () => {
    const dir = await tempDir("lock-kill");
    const path = join(dir, "sessions.json");
    const child = startWorker(worker, ["hold-lock", path, "refresh", "1500"]);
    const store = createFileStore({ path });
    try {
      await printed(child, "locked");
      await expect(store.lock("refresh", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({
        code: "ERR_LOCK_TIMEOUT",
      });
    } finally {
      child.kill("SIGKILL");
      await exited(child);
    }
    await expect(store.lock("refresh", { ttlMs: 1_000, waitMs: 0 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    const release = await store.lock("refresh", { ttlMs: 1_000, waitMs: 10_000 });
    await release();
    await store.close();
  });
});
