import { readFile } from "node:fs/promises";
import { type FakePlatform, startFakePlatform } from "@sessionstore/testkit/platform";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./support/bundle.js";
import { removeBundle } from "./support/runtime.js";
import { scratchDir } from "./support/scratch.js";

// workerd from npm (@cloudflare/workerd-linux-64, through miniflare), with the
// flags a Worker using node: modules needs.
const WORKER_SETTINGS = { compatibilityDate: "2026-07-01", compatibilityFlags: ["nodejs_compat"] };

/**
 * The bundle as one explicit ES module, as wrangler hands it over: miniflare
 * then does not walk its imports (its walker refuses the client's optional,
 * variable-specifier `import()` of @opentelemetry/api that workerd itself
 * simply fails at run time, which the client treats as "not installed").
 */
async function workerModules(path: string) {
  return [{ type: "ESModule" as const, path, contents: await readFile(path, "utf8") }];
}

interface WorkerAnswer {
  ok?: boolean;
  value?: unknown;
  created?: boolean;
  error?: { name?: string; message?: string; code?: string };
}

type MiniflareOptions = ConstructorParameters<typeof Miniflare>[0];

/**
 * A Miniflare whose scratch folder is in a temp dir of this test, removed (awaited)
 * by `close`: miniflare makes `$TMPDIR/miniflare-<random>` and removes it only
 * fire-and-forget on dispose, so a worker process ending right after could leave it.
 */
async function startWorker(options: MiniflareOptions): Promise<{ worker: Miniflare; close(): Promise<void> }> {
  const scratch = await scratchDir("workerd");
  const previous = process.env.TMPDIR;
  let worker: Miniflare;
  try {
    // Read once, in the constructor.
    process.env.TMPDIR = scratch.path;
    worker = new Miniflare(options);
  } catch (error) {
    await scratch.remove();
    throw error;
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  return {
    worker,
    async close() {
      try {
        await worker.dispose();
      } finally {
        await scratch.remove();
      }
    },
  };
}

async function call(worker: Miniflare, path: string): Promise<WorkerAnswer> {
  const response = await worker.dispatchFetch(`http://worker.test${path}`);
  return (await response.json()) as WorkerAnswer;
}

describe("workerd: core + client + memory store in a Worker's fetch handler", () => {
  let server: FakePlatform;
  let script: string | undefined;
  let worker: Miniflare | undefined;
  let closeWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    server = await startFakePlatform();
    script = await bundle("worker/worker.ts", { inline: true, platform: "neutral" });
    // The platform runs here in Node; the Worker reaches it on loopback through its URL.
    ({ worker, close: closeWorker } = await startWorker({
      ...WORKER_SETTINGS,
      modules: await workerModules(script),
      bindings: { API_URL: server.url },
    }));
    await worker.ready;
  });
  afterAll(async () => {
    await closeWorker?.();
    await server?.close();
    await removeBundle(script);
  });

  it("signs in once, then serves requests with the cached token; an expired token is refreshed once for 50 requests", async () => {
    const live = worker as Miniflare;
    expect(await call(live, "/status")).toMatchObject({ ok: false, error: { code: "ERR_NOT_AUTHENTICATED" } });
    expect(await call(live, "/signin")).toMatchObject({ ok: true, value: { authType: "password", refreshable: true } });
    expect(server.stats.byGrant).toEqual({ password: 1 });
    for (let index = 0; index < 3; index += 1) {
      expect(await call(live, "/status")).toMatchObject({ ok: true, value: { user: { username: "demo" } } });
    }
    expect(server.stats.tokenCalls).toBe(1);
    expect(server.stats.apiCalls).toBe(3);

    server.expireAccessTokens();
    const storm = await call(live, "/storm");
    expect(storm.ok).toBe(true);
    expect(storm.value).toHaveLength(50);
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.stats.tokenCalls).toBe(2);
  });
});

describe("workerd: stores the edge cannot run refuse at creation, naming the runtime and the alternative", () => {
  let script: string | undefined;
  let worker: Miniflare | undefined;
  let closeWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    script = await bundle("worker/unsupported.ts", { inline: true, platform: "neutral" });
    ({ worker, close: closeWorker } = await startWorker({ ...WORKER_SETTINGS, modules: await workerModules(script) }));
    await worker.ready;
  });
  afterAll(async () => {
    await closeWorker?.();
    await removeBundle(script);
  });

  it("the file store: no persistent file system", async () => {
    const answer = await call(worker as Miniflare, "/file");
    expect(answer).toMatchObject({
      created: false,
      error: { name: "SessionStoreError", code: "ERR_STORE_UNAVAILABLE" },
    });
    expect(answer.error?.message).toMatch(
      /@sessionstore\/file cannot run in Cloudflare workerd: .*file system.*createMemoryStore/,
    );
  });

  it("the localStorage store: the runtime has no localStorage", async () => {
    const answer = await call(worker as Miniflare, "/local-storage");
    expect(answer).toMatchObject({ created: false, error: { code: "ERR_STORE_UNAVAILABLE" } });
    expect(answer.error?.message).toMatch(/no usable localStorage in Cloudflare-Workers.*@sessionstore\/file/);
  });
});
