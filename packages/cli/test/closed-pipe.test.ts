import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager } from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_DIST } from "./support/cli-process.js";

// `sessionstore list … | head -1`: the reader closes the pipe after one line.
describe("stdout closed by the reader", () => {
  let dir: string;
  let path: string;

  beforeAll(async () => {
    if (!existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: run "pnpm build" first`);
    dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-pipe-"));
    path = join(dir, "sessions.json");
    const manager = createSessionManager(createFileStore({ path }), { namespace: "app" });
    // Far more than a pipe buffer (64 kB) of table, so the writes meet the closed pipe.
    await Promise.all(
      Array.from({ length: 1500 }, (_, index) =>
        manager.forSubject(`user-${index}-${"x".repeat(40)}`).write("password", { accessToken: `t${index}` }),
      ),
    );
    await manager.close();
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("ends quietly with exit 0 and no stack, like npm and gh (5 runs)", async () => {
    for (let run = 0; run < 5; run += 1) {
      const outcome = await new Promise<{ code: number | null; stderr: string; lines: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI_DIST, "list", "--store", `file:${path}`, "--namespace", "app"], {
          stdio: ["ignore", "pipe", "pipe"],
          timeout: 30_000,
        });
        let stderr = "";
        let lines = 0;
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.stdout.once("data", (chunk: Buffer) => {
          lines = chunk.toString("utf8").split("\n").length;
          child.stdout.destroy();
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr, lines }));
      });
      expect(outcome.lines).toBeGreaterThan(0);
      expect(outcome.stderr).toBe("");
      expect(outcome.code).toBe(0);
    }
  });
});
