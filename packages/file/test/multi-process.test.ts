import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, exited, printed, runWorker, startWorker } from "./helpers/child.js";
import { tempDir } from "./helpers/temp-dir.js";

let worker: string;
beforeAll(async () => {
  worker = await bundleWorker();
});

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

  it("a writer SIGKILLed at random ≥100 times: the file always parses, holds a value really written, no litter", async () => {
    const dir = await tempDir("kill");
    const logs = await tempDir("kill-logs");
    const path = join(dir, "sessions.json");
    const started = Date.now();
    // Workers boot ahead of their round, a few at a time: node's start-up is most of a round, and
    // on a loaded machine one booting worker cannot keep up.
    const boot = (round: number) => {
      const log = join(logs, `worker-${round}.log`);
      writeFileSync(log, "");
      return { log, child: startWorker(worker, ["counter", path, log], { stdio: ["pipe", "pipe", "inherit"] }) };
    };
    const booting = Array.from({ length: 4 }, (_, round) => boot(round));
    let kills = 0;
    let killedHoldingLock = 0;
    let killedWithTempFile = 0;
    let previous = 0;
    try {
      // Bound by count and by time; the assertion after the loop says which ran out.
      while (kills < 100 && Date.now() - started < 40_000) {
        const { log, child } = booting.shift() as ReturnType<typeof boot>;
        booting.push(boot(kills + booting.length + 1));
        child.stdin?.write("go\n");
        await printed(child, "ready");
        await sleep(Math.random() * 30);
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
        previous = value;
      }
    } finally {
      for (const idle of booting) idle.child.kill("SIGKILL");
      await Promise.all(booting.map((idle) => exited(idle.child)));
    }
    expect(kills, `only ${kills} kills in ${Date.now() - started} ms: the machine is too loaded`).toBe(100);
    // The kills really landed mid-write (else this test proves nothing).
    expect(killedHoldingLock).toBeGreaterThan(0);
    expect(killedWithTempFile).toBeGreaterThan(0);

    // The next writer recovers the dead writer's lock at once and cleans its temp file.
    const store = createFileStore({ path, lockWaitMs: 2_000 });
    await store.set("after", { v: 1 });
    expect(await store.get("counter")).toMatchObject({ value: previous });
    await store.close();
    expect(readdirSync(dir)).toEqual(["sessions.json"]);
    console.info(
      `[file store] ${kills} kills in ${Date.now() - started} ms; ${killedHoldingLock} while holding the lock, ` +
        `${killedWithTempFile} with a temp file written; last value ${previous}`,
    );
  }, 60_000);

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
