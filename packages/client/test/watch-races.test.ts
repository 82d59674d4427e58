import {
  createMemoryStore,
  createSessionManager,
  type JsonObject,
  type SessionStore,
  type StoreChangeListener,
} from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { makeClient, platform } from "./support/harness.js";

/** A promise and the function that resolves it. */
function opening() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { gate, release };
}

/**
 * A memory store that says it can watch: the test reports changes itself, at
 * the moment it chooses. The next `set` can be held: the record is written at
 * once, the call answers only when released (a write the backend applied
 * whose reply is still on its way).
 */
function watchableStore() {
  const inner = createMemoryStore();
  const listeners = new Set<StoreChangeListener>();
  let hold: { started: (key: string) => void; released: Promise<void> } | undefined;
  let holdGet: { started: (key: string) => void; released: Promise<void> } | undefined;
  const reads = new Set<() => void>();
  const store: SessionStore = {
    capabilities: { ...inner.capabilities, watch: true },
    async get(key) {
      const record = await inner.get(key);
      const held = holdGet;
      holdGet = undefined;
      if (held) {
        held.started(key);
        await held.released;
      }
      for (const read of [...reads]) read();
      return record;
    },
    async set(key: string, record: JsonObject, options) {
      await inner.set(key, record, options);
      const held = hold;
      hold = undefined;
      if (held) {
        held.started(key);
        await held.released;
      }
    },
    delete: (key) => inner.delete(key),
    lock: (key, options) => inner.lock(key, options),
    list: (prefix) => inner.list(prefix),
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => inner.close(),
  };
  return {
    store,
    /** Reports `key` changed to every listener; resolves once a read of the store has answered after it. */
    report(key: string): Promise<void> {
      const answered = new Promise<void>((resolve) => {
        const read = () => {
          reads.delete(read);
          resolve();
        };
        reads.add(read);
      });
      for (const listener of listeners) listener({ key });
      return answered;
    },
    /** Holds the next set; resolves with its key once it has written, and gives the function that lets it answer. */
    holdNextSet() {
      const { gate, release } = opening();
      const started = new Promise<string>((resolve) => {
        hold = { started: resolve, released: gate };
      });
      return { started, release };
    },
    /** Holds the next get once it has read, the same way. */
    holdNextGet() {
      const { gate, release } = opening();
      const started = new Promise<string>((resolve) => {
        holdGet = { started: resolve, released: gate };
      });
      return { started, release };
    },
  };
}

/** A fake platform and a watchable store holding a session signed in there by a client since closed. */
async function signedIn() {
  const server = await platform();
  const watchable = watchableStore();
  const signer = makeClient(server, { sessionStore: createSessionManager(watchable.store) });
  await signer.authenticateWithCredentials("demo", "demo-password");
  signer.close();
  return { server, watchable };
}

describe("a watch report that arrives while this client writes its own refresh", () => {
  it("is not announced as a pair adopted from elsewhere when the re-read finds that write: one refresh event, its own", async () => {
    const { server, watchable } = await signedIn();
    // 59.5 minutes ahead: the hour-long token is due, the next request refreshes it first.
    const client = makeClient(server, {
      sessionStore: createSessionManager(watchable.store),
      now: () => Date.now() + 3_570_000,
    });
    const events: string[] = [];
    client.on("refresh", (event) => events.push(`refresh adopted=${event.adopted} trigger=${event.trigger}`));
    await client.ready;

    const write = watchable.holdNextSet();
    const request = client.request("GET", "/items/1");
    const key = await write.started;
    // Reported meanwhile (a late first look of the watch, or another instance touching
    // the key): the client re-reads, and finds the new pair its refresh is writing.
    await watchable.report(key);
    // Whatever the re-read leads to runs in the promise jobs after it: let them all run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    write.release();
    await request;
    expect(events).toEqual(["refresh adopted=false trigger=expiring"]);
    expect(server.stats.refreshCalls).toBe(1);
    client.close();
  });
});

describe("a watch report that arrives while the client is still restoring its session", () => {
  it("is followed once the restore is done: the restored session is not announced as adopted", async () => {
    const { server, watchable } = await signedIn();
    const [session] = await createSessionManager(watchable.store).list();

    const restore = watchable.holdNextGet();
    const client = makeClient(server, { sessionStore: createSessionManager(watchable.store) });
    const events: string[] = [];
    client.on("refresh", (event) => events.push(`refresh adopted=${event.adopted} trigger=${event.trigger}`));
    await restore.started;
    // Reported while the restore's read is under way (a watch whose subscription was
    // confirmed first): a re-read made now would answer before the restore does.
    const reported = watchable.report(session?.key ?? "no session");
    await new Promise((resolve) => setImmediate(resolve));
    restore.release();
    await client.ready;
    await reported;
    // The re-read that follows the restore, and whatever it leads to, run in the jobs after it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    expect((await client.session())?.authType).toBe("password");
    client.close();
  });
});
