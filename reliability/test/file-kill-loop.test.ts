// SIGKILL during writes, ≥ 200 times, on the file store: after every kill the
// file parses, holds a session really written (never a torn or invented one),
// and no temp files pile up. A second writer runs throughout and is never
// blocked for good by a victim that died holding the file lock.
// (packages/file/test/multi-process.test.ts kills a bare store.set writer ≥ 100
// times; this one drives SessionManager sessions, twice as many kills, and a
// concurrent survivor.)
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager, decodeSession } from "@sessionstore/core";
import { parseRecord } from "@sessionstore/core/adapter";
import { createFileStore } from "@sessionstore/file";
import { exited, type LineWatch, watchLines } from "@sessionstore/testkit/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFixture, killGroup, startChild } from "./support/children.js";

const KILLS = 200;
/** Rounds in which a committed write then survived a kill: the proof needs them, whatever the load. */
const MIN_ADVANCED = 50;
/** Generous: at load 4 a round is many times slower; the loop ends as soon as the proof is complete. */
const TIME_LIMIT_MS = 120_000;
const POOL = 3;

let worker: string;
const dir = mkdtempSync(join(tmpdir(), "sessionstore-rel-kill-"));
const logs = mkdtempSync(join(tmpdir(), "sessionstore-rel-kill-logs-"));
const path = join(dir, "sessions.json");

beforeAll(async () => {
  worker = await bundleFixture("file-writer");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(logs, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counter the file holds for `subject` right now, read raw: the file must parse and the record decode. */
function committed(subject: string): number {
  if (!existsSync(path)) return 0;
  const document = JSON.parse(readFileSync(path, "utf8")) as {
    sessionstore: number;
    records: Record<string, { record: string }>;
  };
  expect(document.sessionstore).toBe(1);
  const key = `killloop:${subject}:password`;
  const entry = document.records[key];
  if (entry === undefined) return 0;
  const session = decodeSession(parseRecord(entry.record, key), key);
  expect(session.auth.refreshToken).toBe(`rt-${session.auth.accessToken.slice(3)}`);
  return Number(session.auth.accessToken.slice(3));
}

/** What a writer logged: values it began writing, and the last whose write resolved. */
function writerLog(log: string): { begun: Set<number>; lastDone: number | undefined } {
  const begun = new Set<number>();
  let lastDone: number | undefined;
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const [kind, value] = line.split(" ");
    if (kind === "s") begun.add(Number(value));
    if (kind === "d") lastDone = Number(value);
  }
  return { begun, lastDone };
}

/** The pid recorded in the file lock's owner.json, when the lock directory is there. */
function lockOwnerPid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(`${path}.lock`, "owner.json"), "utf8")) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

interface Writer {
  readonly child: ChildProcess;
  readonly log: string;
  readonly lines: LineWatch;
}

let booted = 0;
function boot(subject: string): Writer {
  booted += 1;
  const log = join(logs, `${subject}-${booted}.log`);
  writeFileSync(log, "");
  const child = startChild(worker, [path, log, subject]);
  return { log, child, lines: watchLines(child) };
}

describe("file store under a SIGKILL loop", () => {
  it(
    `≥ ${KILLS} kills mid-write: the file always parses and holds a session really written; no litter`,
    async () => {
      const started = Date.now();
      const survivor = boot("survivor");
      survivor.child.stdin?.write("go\n");
      await survivor.lines.until("begin 1");

      // Children boot ahead of their turn: node's start-up is most of a round.
      const pool: Writer[] = Array.from({ length: POOL }, () => boot("victim"));
      let kills = 0;
      let previous = 0;
      let advanced = 0;
      let killedHoldingLock = 0;
      let killedWithTempFile = 0;
      let killedMidWrite = 0;
      const victimBegun = new Set<number>();
      // The proof is complete only with all of these; rounds go on until it is, within the time bound.
      const proven = () =>
        kills >= KILLS &&
        advanced >= MIN_ADVANCED &&
        killedMidWrite >= kills / 2 &&
        killedHoldingLock > 0 &&
        killedWithTempFile > 0;
      while (!proven() && Date.now() - started < TIME_LIMIT_MS) {
        const current = pool.shift() as Writer;
        pool.push(boot("victim"));
        current.child.stdin?.write("go\n");
        // Killed by events, not timers: as it begins its k-th write (k-1 committed before), mostly at
        // once (mid-write), sometimes a few ms later (anywhere in the write, or between two).
        await current.lines.until(`begin ${1 + Math.floor(Math.random() * 3)}`);
        if (Math.random() < 0.3) await sleep(Math.random() * 5);
        killGroup(current.child);
        await exited(current.child);
        kills += 1;

        const entries = readdirSync(dir);
        if (lockOwnerPid() === current.child.pid) killedHoldingLock += 1;
        const temps = entries.filter((entry) => entry.includes(".tmp-"));
        if (temps.length > 0) killedWithTempFile += 1;
        // Each writer sweeps stale leftovers: they never pile up.
        expect(temps.length).toBeLessThanOrEqual(2);

        const value = committed("victim");
        const { begun, lastDone } = writerLog(current.log);
        for (const begunValue of begun) victimBegun.add(begunValue);
        if ([...begun].some((begunValue) => begunValue > (lastDone ?? 0))) killedMidWrite += 1;
        // Never a value nobody began writing; never older than what a finished write promised.
        if (value !== 0) expect(victimBegun.has(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(lastDone ?? previous);
        expect(value).toBeGreaterThanOrEqual(previous);
        if (value > previous) advanced += 1;
        previous = value;
      }
      for (const spare of pool) killGroup(spare.child);
      await Promise.all(pool.map((spare) => exited(spare.child)));
      const elapsed = Date.now() - started;

      // The survivor was never blocked for good: it still completes writes after all the kills; then it dies too.
      const survivorBefore = writerLog(survivor.log).lastDone ?? 0;
      const survivorBegunBefore = writerLog(survivor.log).begun.size;
      await survivor.lines.until(`begin ${survivorBegunBefore + 2}`);
      killGroup(survivor.child);
      await exited(survivor.child);
      const survivorLog = writerLog(survivor.log);
      const survivorValue = committed("survivor");
      expect(survivorLog.begun.has(survivorValue)).toBe(true);
      expect(survivorValue).toBeGreaterThanOrEqual(survivorLog.lastDone ?? 0);
      expect(survivorLog.lastDone ?? 0).toBeGreaterThan(survivorBefore);

      expect(
        {
          kills,
          advanced,
          midWrite: killedMidWrite >= kills / 2,
          holdingLock: killedHoldingLock > 0,
          withTempFile: killedWithTempFile > 0,
        },
        `not proven within ${elapsed} ms (bound ${TIME_LIMIT_MS} ms): the machine is too loaded`,
      ).toEqual({
        kills: Math.max(kills, KILLS),
        advanced: Math.max(advanced, MIN_ADVANCED),
        midWrite: true,
        holdingLock: true,
        withTempFile: true,
      });

      // A new process recovers the dead writers' lock at once, cleans up, and reads what was committed.
      const sessions = createSessionManager(createFileStore({ path, lockWaitMs: 2_000 }), { namespace: "killloop" });
      await sessions.forSubject("after").set({ accessToken: "at-1" }, "password");
      expect(await sessions.forSubject("victim").get("password")).toMatchObject({ accessToken: `at-${previous}` });
      await sessions.close();
      expect(readdirSync(dir).sort()).toEqual(["sessions.json"]);
      console.info(
        `[reliability] file kill loop: ${kills} kills in ${elapsed} ms (${killedMidWrite} mid-write, ${killedHoldingLock} holding the lock, ` +
          `${killedWithTempFile} with a temp file); victim at ${previous}, survivor at ${survivorValue}`,
      );
    },
    TIME_LIMIT_MS + 30_000,
  );
});
