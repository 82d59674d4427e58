// Many writers finding the same dead lock holder at once all race to break its lock and take it:
// whatever the interleaving, two of them never hold it together (no lost write, no lost lock).
// (Its own file, so it runs beside the kill loop in multi-process.test.ts.)
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { exited, watchLines } from "@sessionstore/testkit/support";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, startWorker } from "./support/child.js";
import { tempDir } from "./support/temp-dir.js";

/** Victims to kill, how many of them must die holding the lock, and the time bound (generous, for load). */
const KILLS = 30;
const KILLED_HOLDING = 10;
const TIME_BOUND_MS = 120_000;
/** Writers racing each other: three is enough for two to find the same dead holder at once. */
const CONTENDERS = 3;

let worker: string;
beforeAll(async () => {
  worker = await bundleWorker();
});

describe("breaking abandoned locks while others contend (real processes)", () => {
  it(
    "writers racing to break the locks of SIGKILLed holders never both hold it: no lost write, no lost lock",
    async () => {
      const dir = await tempDir("break-race");
      const logs = await tempDir("break-race-logs");
      const path = join(dir, "sessions.json");
      const contenders = Array.from({ length: CONTENDERS }, (_, id) => {
        const child = startWorker(worker, ["contend", path, String(id)], { stdio: ["pipe", "pipe", "inherit"] });
        let output = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          output += chunk.toString("utf8");
        });
        return { id, child, output: () => output };
      });
      const started = Date.now();
      let kills = 0;
      let killedHoldingLock = 0;
      try {
        // Each victim dies holding the lock as often as not; then every contender finds a lock whose
        // owner is dead at the same moment, and they all race to break it and take it.
        while ((kills < KILLS || killedHoldingLock < KILLED_HOLDING) && Date.now() - started < TIME_BOUND_MS) {
          const log = join(logs, `victim-${kills}.log`);
          writeFileSync(log, "");
          const victim = startWorker(worker, ["counter", path, log], { stdio: ["pipe", "pipe", "inherit"] });
          const lines = watchLines(victim);
          victim.stdin?.write("go\n");
          await lines.until("begin 2");
          victim.kill("SIGKILL");
          await exited(victim);
          kills += 1;
          if (readdirSync(dir).includes("sessions.json.lock")) killedHoldingLock += 1;
        }
      } finally {
        for (const { child } of contenders) child.stdin?.end();
      }
      const codes = await Promise.all(contenders.map(({ child }) => exited(child)));
      expect(codes).toEqual(contenders.map(() => 0));
      expect({ kills: kills >= KILLS, killedHoldingLock: killedHoldingLock >= KILLED_HOLDING }).toEqual({
        kills: true,
        killedHoldingLock: true,
      });
      const store = createFileStore({ path });
      let total = 0;
      for (const contender of contenders) {
        const report = JSON.parse(contender.output()) as { written: number; warnings: string[]; errors: string[] };
        // A lock taken from a live holder shows up as a warning (ECOMPROMISED) or a failed write.
        expect({ id: contender.id, warnings: report.warnings, errors: report.errors }).toEqual({
          id: contender.id,
          warnings: [],
          errors: [],
        });
        expect(report.written).toBeGreaterThan(0);
        // Every write that resolved is in the file: two writers never committed over each other.
        const keys = await store.list(`c${contender.id}:`);
        expect(keys).toHaveLength(report.written);
        total += report.written;
      }
      await store.close();
      console.info(
        `[file store] ${kills} victims killed (${killedHoldingLock} holding the lock); ${total} contended writes`,
      );
    },
    TIME_BOUND_MS + 30_000,
  );
});
