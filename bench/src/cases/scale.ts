import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createSessionManager,
  encodeSession,
  type JsonObject,
  normalizeAuthObject,
  type SessionManager,
  type SessionStore,
} from "@sessionstore/core";
import { createFileStore } from "@sessionstore/file";
import { createRedisStore } from "@sessionstore/redis";
import { createSqliteStore } from "@sessionstore/sqlite";
import { REDIS_URL, sampleAuth, tempDir, uniqueId } from "../fixtures.js";
import { type Budget, loadNow } from "../harness.js";
import type { ScaleResult, Section } from "../report-types.js";
import { deleteRedisKeys } from "./baselines.js";

/** Session counts measured; the file store stops at 10k (it rewrites its one file on every write). */
const FULL_SIZES = [10, 1_000, 10_000, 100_000];
const QUICK_SIZES = [10, 1_000];
const FILE_MAX_SIZE = 10_000;
/** Writes in flight while filling a store (through the store, not timed). */
const FILL_CONCURRENCY = 64;

interface ScaleStore {
  readonly name: string;
  readonly maxSize: number;
  /**
   * A store holding exactly `size` sessions under `namespace`, keys
   * `<namespace>:user-<i>:password`. `held` is how many the previous call left
   * (stores that grow in place only add the difference).
   */
  open(namespace: string, size: number, record: JsonObject): Promise<SessionStore>;
  close(): Promise<void>;
}

const keyOf = (namespace: string, index: number) => `${namespace}:user-${index}:password`;

async function fill(store: SessionStore, namespace: string, from: number, to: number, record: JsonObject) {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const index = next;
      next += 1;
      await store.set(keyOf(namespace, index), record);
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

/** SQLite and Redis grow in place: one store, filled up size after size. */
function growingStore(name: string, create: () => { store: SessionStore; cleanup(): Promise<void> }): ScaleStore {
  let opened: { store: SessionStore; cleanup(): Promise<void> } | undefined;
  let held = 0;
  return {
    name,
    maxSize: Number.POSITIVE_INFINITY,
    async open(namespace, size, record) {
      opened ??= create();
      await fill(opened.store, namespace, held, size, record);
      held = size;
      return opened.store;
    },
    async close() {
      await opened?.store.close();
      await opened?.cleanup();
    },
  };
}

/** The file store: each size is a file written in the store's format, then opened (filling it write by write would take minutes). */
function fileScaleStore(): ScaleStore {
  const dir = tempDir("scale-file");
  let current: SessionStore | undefined;
  return {
    name: "file",
    maxSize: FILE_MAX_SIZE,
    async open(namespace, size, record) {
      await current?.close();
      const path = join(dir.path, `sessions-${size}.json`);
      const text = JSON.stringify(record);
      const records: Record<string, { record: string }> = {};
      for (let index = 0; index < size; index += 1) records[keyOf(namespace, index)] = { record: text };
      writeFileSync(path, JSON.stringify({ sessionstore: 1, records, locks: {} }), { mode: 0o600 });
      current = createFileStore({ path });
      return current;
    },
    async close() {
      await current?.close();
      dir.remove();
    },
  };
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

async function timed(
  store: string,
  sessions: number,
  op: string,
  count: number,
  run: (sample: number) => Promise<unknown>,
): Promise<ScaleResult> {
  const loadAtStart = loadNow();
  const samples: number[] = [];
  try {
    await run(-1); // warm-up, not counted
    for (let sample = 0; sample < count; sample += 1) {
      const started = performance.now();
      await run(sample);
      samples.push(performance.now() - started);
    }
    return { store, sessions, op, median: median(samples), max: Math.max(...samples), samples: count, loadAtStart };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { store, sessions, op, median: Number.NaN, max: Number.NaN, samples: 0, loadAtStart, error: message };
  }
}

async function measureAt(manager: SessionManager, name: string, size: number, quick: boolean): Promise<ScaleResult[]> {
  const auth = sampleAuth();
  const subject = (sample: number) => `user-${Math.abs(sample * 7919) % size}`;
  const points = [
    await timed(name, size, "set (one session)", quick ? 5 : 20, (sample) =>
      manager.forSubject(subject(sample)).set(auth, "password"),
    ),
    await timed(name, size, "get (one session)", quick ? 5 : 20, async (sample) => {
      if ((await manager.forSubject(subject(sample)).get("password")) === undefined) {
        throw new Error(`no session for ${subject(sample)}`);
      }
    }),
  ];
  const listSamples = size >= 10_000 ? 3 : quick ? 3 : 10;
  points.push(
    await timed(name, size, "list() (one array)", listSamples, async () => {
      const found = await manager.list();
      if (found.length !== size) throw new Error(`list() found ${found.length} of ${size} sessions`);
    }),
    await timed(name, size, "listPages(): first page of 100", listSamples, async () => {
      for await (const page of manager.listPages({ pageSize: 100 })) {
        if (page.length !== Math.min(100, size)) throw new Error(`first page held ${page.length} sessions`);
        break;
      }
    }),
    await timed(name, size, "listPages(): all pages of 100", listSamples, async () => {
      let found = 0;
      for await (const page of manager.listPages({ pageSize: 100 })) found += page.length;
      if (found !== size) throw new Error(`listPages() found ${found} of ${size} sessions`);
    }),
  );
  return points;
}

/** set / get / list through a SessionManager on stores holding 10 … 100k sessions. */
export async function benchScale(budget: Budget): Promise<Section> {
  const sizes = budget.quick ? QUICK_SIZES : FULL_SIZES;
  const auth = normalizeAuthObject(sampleAuth(), Date.now());
  const record = encodeSession({ auth, updatedAt: Date.now() });
  const stores: ScaleStore[] = [
    fileScaleStore(),
    growingStore("sqlite", () => {
      const dir = tempDir("scale-sqlite");
      return { store: createSqliteStore({ path: join(dir.path, "sessions.db") }), cleanup: async () => dir.remove() };
    }),
    growingStore("redis", () => {
      const namespace = `sessionstore-bench-scale-${uniqueId()}`;
      return {
        store: createRedisStore({ url: REDIS_URL, keyPrefix: namespace }),
        cleanup: () => deleteRedisKeys(`${namespace}:`),
      };
    }),
  ];
  const scale: ScaleResult[] = [];
  for (const entry of stores) {
    const namespace = `scale-${uniqueId()}`;
    try {
      for (const size of sizes) {
        if (size > entry.maxSize) continue;
        const store = await entry.open(namespace, size, record);
        scale.push(...(await measureAt(createSessionManager(store, { namespace }), entry.name, size, budget.quick)));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      scale.push({
        store: entry.name,
        sessions: 0,
        op: "fill",
        median: Number.NaN,
        max: Number.NaN,
        samples: 0,
        loadAtStart: loadNow(),
        error: message,
      });
    } finally {
      await entry.close();
    }
  }
  return {
    scale,
    notes: [
      "scale, file: every write rewrites the whole file under its lock (re-read, serialise, temp file, fsync, " +
        "rename), so `set` grows with the file; reads are served from memory while the file is unchanged. The " +
        "store's documented size is 1,000 sessions (`FILE_STORE_SESSION_LIMIT`; `onWarning` is told once past it); " +
        "beyond that SQLite is the answer.",
      "scale, SQLite and Redis: `set` and `get` are one keyed statement or command, flat from 10 to 100,000 " +
        "sessions. `list()` costs one read per session (it reports expiry and whether each is refreshable); " +
        "`listPages()` takes the keys a page at a time from the store's `listPage` (SQLite: a keyset query on the " +
        "key index; Redis: one SCAN step; file: a slice of the sorted keys) and reads each page's records " +
        "concurrently, so its first page costs one page, not a list of every key.",
    ],
  };
}
