import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SessionStore } from "@sessionstore/core";
import { createMemoryStore } from "@sessionstore/core";

/** A Node store backend the client and podio-js are tested with; `open` may be called several times (same backend). */
export interface StoreBackend {
  readonly name: string;
  /** A new store instance over the shared backend. */
  open(): Promise<SessionStore>;
  /** For child processes: how to open the same backend there. */
  readonly spec: StoreSpec;
  cleanup(): void;
}

/** What a child process needs to open the same backend. */
export type StoreSpec =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "redis"; readonly url: string; readonly namespace: string };

const root = new URL("../../", import.meta.url);
const hasPackage = (name: string) => existsSync(new URL(`${name}/src/index.ts`, root));

/** Opens a store from its spec (used in tests and in forked workers). */
export async function openStore(spec: StoreSpec): Promise<SessionStore> {
  if (spec.kind === "file") {
    const { createFileStore } = await import("../../file/src/index.js");
    return createFileStore({ path: spec.path });
  }
  if (spec.kind === "redis") {
    const { createRedisStore } = await import("../../redis/src/index.js");
    return createRedisStore({ url: spec.url, namespace: spec.namespace });
  }
  // The SQLite package may land after this file; the path is computed so TypeScript does not require it.
  const sqlite = (await import(new URL("sqlite/src/index.ts", root).href)) as {
    createSqliteStore(options: { path: string }): SessionStore;
  };
  return sqlite.createSqliteStore({ path: spec.path });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sessionstore-client-"));
}

/** Every cross-process Node store that exists in this checkout. */
export function crossProcessBackends(): StoreBackend[] {
  const backends: StoreBackend[] = [];
  const add = (name: string, spec: StoreSpec, dir?: string) => {
    const opened: SessionStore[] = [];
    backends.push({
      name,
      spec,
      async open() {
        const store = await openStore(spec);
        opened.push(store);
        return store;
      },
      cleanup() {
        for (const store of opened.splice(0)) void Promise.resolve(store.close()).catch(() => undefined);
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    });
  };
  if (hasPackage("file")) {
    const dir = tempDir();
    add("file", { kind: "file", path: join(dir, "sessions.json") }, dir);
  }
  if (hasPackage("sqlite")) {
    const dir = tempDir();
    add("sqlite", { kind: "sqlite", path: join(dir, "sessions.db") }, dir);
  }
  if (hasPackage("redis")) {
    add("redis", {
      kind: "redis",
      url: "redis://127.0.0.1:6379",
      namespace: `client-test-${randomBytes(6).toString("hex")}`,
    });
  }
  return backends;
}

/** The memory store as a backend (one instance shared: it lives in this process only). */
export function memoryBackend(): StoreBackend {
  const store = createMemoryStore();
  return {
    name: "memory",
    spec: { kind: "file", path: "" },
    open: async () => store,
    cleanup: () => undefined,
  };
}
