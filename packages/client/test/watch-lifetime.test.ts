import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { eventually } from "@sessionstore/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminClient, connectAdmin, subscribers } from "../../redis/test/support/shared-redis.js";
import { platform } from "./support/harness.js";

const worker = fileURLToPath(new URL("./fixtures/dropped-clients.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
let admin: AdminClient;
beforeAll(async () => {
  admin = await connectAdmin();
});
afterAll(async () => admin.close());

describe("a client dropped without close()", () => {
  it("stops watching the store once it is garbage-collected; a client still held keeps watching", async () => {
    const server = await platform();
    const namespace = `client-gc-${randomBytes(6).toString("hex")}`;
    const child = fork(worker, ["redis://127.0.0.1:6379", namespace, server.url], {
      cwd: repoRoot,
      execArgv: ["--expose-gc", "--import", "tsx", "--conditions=@sessionstore/source"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const next = (type: string) =>
      new Promise<void>((resolve) => {
        const onMessage = (message: { type?: string }) => {
          if (message.type !== type) return;
          child.off("message", onMessage);
          resolve();
        };
        child.on("message", onMessage);
      });
    try {
      await next("made");
      // 50 clients were made and dropped: once collected, nobody watches and the subscriber closes.
      await eventually(async () => expect(await subscribers(admin, namespace)).toBe(0), 200, 100);
      child.send("keep");
      await next("kept");
      await eventually(async () => expect(await subscribers(admin, namespace)).toBe(1), 100, 100);
      // Collections go on every 50 ms: a client still referenced keeps its watch.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await subscribers(admin, namespace)).toBe(1);
    } finally {
      child.kill();
    }
  }, 60_000);
});
