/**
 * The read-your-writes rule on its own: which write a read pending beside
 * several unfinished writes of its key answers with.
 */
import { describe, expect, it } from "vitest";
import { Emitter } from "../src/internal/emitter.js";
import { announceWrite, readYourWrites, type WriteAnnouncer } from "../src/internal/read-your-writes.js";
import type { StoredSession } from "../src/session-record.js";

function session(accessToken: string): StoredSession {
  return { auth: { accessToken }, updatedAt: 1, fingerprint: accessToken };
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe("read your writes: several unfinished writes of one key", () => {
  it("a read issued after write A and write B, both unfinished: A succeeds, B fails, the read answers A", async () => {
    const announcer: WriteAnnouncer = new Emitter();
    const a = deferred();
    const b = deferred();
    void announceWrite(announcer, "k", a.promise, session("from-a"));
    announceWrite(announcer, "k", b.promise, session("from-b")).catch(() => undefined);
    const read = readYourWrites(announcer, "k", async () => session("what-the-store-held-before"));
    a.resolve();
    b.reject(new Error("backend failed mid-write"));
    expect((await read)?.auth.accessToken).toBe("from-a");
  });

  it("both fail: the read answers what the store held", async () => {
    const announcer: WriteAnnouncer = new Emitter();
    const a = deferred();
    const b = deferred();
    announceWrite(announcer, "k", a.promise, session("from-a")).catch(() => undefined);
    announceWrite(announcer, "k", b.promise, session("from-b")).catch(() => undefined);
    const read = readYourWrites(announcer, "k", async () => session("held"));
    a.reject(new Error("first failed"));
    b.reject(new Error("second failed"));
    expect((await read)?.auth.accessToken).toBe("held");
  });

  it("A fails, B succeeds: the read answers B; a removal last answers undefined", async () => {
    const announcer: WriteAnnouncer = new Emitter();
    const a = deferred();
    const b = deferred();
    announceWrite(announcer, "k", a.promise, session("from-a")).catch(() => undefined);
    void announceWrite(announcer, "k", b.promise, session("from-b"));
    const read = readYourWrites(announcer, "k", async () => session("held"));
    a.reject(new Error("first failed"));
    b.resolve();
    expect((await read)?.auth.accessToken).toBe("from-b");

    const removal = deferred();
    void announceWrite(announcer, "k", removal.promise);
    const afterRemoval = readYourWrites(announcer, "k", async () => session("held"));
    removal.resolve();
    expect(await afterRemoval).toBeUndefined();
  });

  it("a lock holder's read does not wait for unfinished writes, but answers one issued while it reads", async () => {
    const announcer: WriteAnnouncer = new Emitter();
    const queued = deferred();
    announceWrite(announcer, "k", queued.promise, session("queued")).catch(() => undefined);
    expect((await readYourWrites(announcer, "k", async () => session("held"), false))?.auth.accessToken).toBe("held");
    const storeRead = deferred();
    const read = readYourWrites(
      announcer,
      "k",
      async () => {
        await storeRead.promise;
        return session("held");
      },
      false,
    );
    const during = deferred();
    void announceWrite(announcer, "k", during.promise, session("during"));
    storeRead.resolve();
    during.resolve();
    expect((await read)?.auth.accessToken).toBe("during");
    queued.reject(new Error("never mind"));
  });
});
