import { startFakePlatform } from "@sessionstore/testkit/platform";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { BUN, DENO, removeBundle, runScript } from "./support/runtime.js";
import { scratchDir } from "./support/scratch.js";

let script: string | undefined;
beforeAll(async () => {
  script = await bundle("entries/local-storage.ts");
});
afterAll(async () => removeBundle(script));

it("Deno: sessions in its built-in localStorage survive a restart of the Deno process; the missing Web Locks are announced", async () => {
  const server = await startFakePlatform();
  // Deno keeps localStorage under DENO_DIR, one database per --location origin: both are fresh here.
  const denoDir = await scratchDir("deno-dir");
  const origin = `--location=http://sessionstore-${globalThis.crypto.randomUUID().slice(0, 8)}.test/`;
  try {
    const phase = (name: string) =>
      runScript(
        DENO,
        script as string,
        { RUNTIME_PHASE: name, RUNTIME_API_URL: server.url, DENO_DIR: denoDir.path },
        { extraArgs: [origin] },
      );
    const signin = await phase("signin");
    expect(signin.code, signin.stderr).toBe(0);
    expect(signin.result).toMatchObject({
      answer: { user: { username: "demo" } },
      keys: 1,
      // No Web Locks in Deno: no lock capability, and the client announces it.
      capabilities: { lock: false, list: true },
      warnings: ["SESSIONSTORE_NO_CROSS_PROCESS_LOCK"],
    });

    const restore = await phase("restore");
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.result).toMatchObject({ answer: [true, { user: { username: "demo" } }] });
    expect(server.stats.tokenCalls).toBe(1);
  } finally {
    await server.close();
    await denoDir.remove();
  }
});

it("Bun: without a localStorage, creating the store fails at once, naming Bun and the alternative", async () => {
  const outcome = await runScript(BUN, script as string, { RUNTIME_PHASE: "probe" });
  expect(outcome.code, outcome.stderr).toBe(0);
  expect(outcome.result).toMatchObject({
    created: false,
    error: { name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" },
  });
  expect((outcome.result as { error: { message: string } }).error.message).toMatch(
    /no usable localStorage in Bun\/[\d.]+ .*options\.storage or use @sessionstore\/file/,
  );
});
