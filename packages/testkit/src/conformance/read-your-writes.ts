import {
  type AuthObject,
  createSessionManager,
  type JsonObject,
  type SessionStore,
  type SetOptions,
} from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { type SuiteContext, uniqueNamespace } from "./context.js";
import { call } from "./expect-code.js";

/** A signal a test waits on: resolved once, from anywhere. */
function signal(): { readonly promise: Promise<void>; fire(): void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

/** A hold on a {@link SlowReadStore}'s reads, made by `hold()`. */
interface ReadHold {
  /** Resolves once the held gets have read the backend (their answers are from that moment). */
  readonly readDone: Promise<void>;
  /** Lets the held gets answer; gets issued from now on are not held. */
  release(): void;
}

/**
 * `inner`, except that while a hold is on, each `get` reads the backend at
 * once but answers only when the test releases it: the slow first read of a
 * store still opening, whose answer predates what the caller does meanwhile.
 */
interface SlowReadStore extends SessionStore {
  /** Holds the gets issued from now on; `readDone` waits for `reads` of them. */
  hold(reads?: number): ReadHold;
  /** Makes the next `set` fail with a plain Error (a backend failing mid-write). */
  failNextSet(): void;
  /** Holds the next set or delete before it reaches the backend, until released. */
  holdNextWrite(): ReadHold;
}

function slowReads(inner: SessionStore): SlowReadStore {
  let gate: { arrived(): void; released: Promise<void> } | undefined;
  let failSet = false;
  let writeGate: { arrived(): void; released: Promise<void> } | undefined;
  const passWriteGate = async () => {
    const current = writeGate;
    writeGate = undefined;
    if (!current) return;
    current.arrived();
    await current.released;
  };
  return {
    capabilities: inner.capabilities,
    hold(reads = 1) {
      const done = signal();
      const released = signal();
      let waiting = reads;
      const current = {
        arrived() {
          waiting -= 1;
          if (waiting === 0) done.fire();
        },
        released: released.promise,
      };
      gate = current;
      return {
        readDone: done.promise,
        release() {
          if (gate === current) gate = undefined;
          released.fire();
        },
      };
    },
    failNextSet() {
      failSet = true;
    },
    holdNextWrite() {
      const arrived = signal();
      const released = signal();
      writeGate = { arrived: arrived.fire, released: released.promise };
      return { readDone: arrived.promise, release: released.fire };
    },
    async get(key: string) {
      const current = gate;
      const value = await call(() => inner.get(key));
      if (current) {
        current.arrived();
        await current.released;
      }
      return value;
    },
    async set(key: string, record: JsonObject, options?: SetOptions) {
      await passWriteGate();
      if (failSet) {
        failSet = false;
        throw new Error("backend failed mid-write");
      }
      await call(() => inner.set(key, record, options));
    },
    async delete(key: string) {
      await passWriteGate();
      return call(() => inner.delete(key));
    },
    close: () => inner.close(),
  };
}

const signIn = { accessToken: "ryw-access-1", refreshToken: "ryw-refresh-1", expiresIn: 3600 };
const rotated = { accessToken: "ryw-access-2", refreshToken: "ryw-refresh-2", expiresIn: 3600 };

function getByCallback(
  get: (callback: (auth: AuthObject | undefined) => void) => void,
): Promise<AuthObject | undefined> {
  return new Promise((resolve) => get(resolve));
}

/**
 * Read your own write, through a SessionManager over this store: a `get`
 * still pending when a `set` or a logout of the same key is issued answers
 * with what that later call wrote. podio-js depends on it: its constructor
 * reads without waiting, and a sign-in that is faster than that first read
 * must not be replaced by the read's stale "no session".
 */
export function describeReadYourWrites(ctx: SuiteContext): void {
  describe("read your own write (a read pending while the caller writes)", () => {
    const setup = async () => {
      const slow = slowReads(await ctx.open());
      return { slow, sessions: createSessionManager(slow, { namespace: uniqueNamespace("ryw") }) };
    };

    it("podio-js's order: get(cb) pending, set(auth, cb) done, then the get answers with that auth", async () => {
      const { slow, sessions } = await setup();
      const hold = slow.hold();
      const late = getByCallback((callback) => sessions.get("password", callback));
      await hold.readDone;
      const setResult = await new Promise<unknown>((resolve) => sessions.set(signIn, "password", resolve));
      expect(setResult).toBeNull();
      hold.release();
      expect(await late).toMatchObject(signIn);
      expect(await sessions.get("password")).toMatchObject({ accessToken: signIn.accessToken });
    });

    it("a logout (set({}) without a callback) issued while a get is pending makes it answer undefined", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const hold = slow.hold();
      const late = sessions.get("password");
      await hold.readDone;
      await sessions.set({}, "password");
      hold.release();
      expect(await late).toBeUndefined();
      expect(await sessions.get("password")).toBeUndefined();
    });

    it("the last of several writes issued meanwhile decides; a delete after a set answers undefined", async () => {
      const { slow, sessions } = await setup();
      let hold = slow.hold();
      const first = sessions.get("server");
      await hold.readDone;
      void sessions.set(signIn, "server");
      await sessions.set(rotated, "server");
      hold.release();
      expect(await first).toMatchObject({ accessToken: rotated.accessToken });
      hold = slow.hold();
      const second = sessions.get("server");
      await hold.readDone;
      await sessions.set(signIn, "server");
      await sessions.delete("server");
      hold.release();
      expect(await second).toBeUndefined();
    });

    it("read() (the client's path) answers with a write() issued meanwhile, fingerprint included", async () => {
      const { slow, sessions } = await setup();
      const hold = slow.hold();
      const late = sessions.read("client");
      await hold.readDone;
      const written = await sessions.write("client", signIn, { fingerprint: "fp-1" });
      hold.release();
      const seen = await late;
      expect(seen).toEqual(written);
      // A copy: a reader changing what it got cannot change what the writer holds.
      expect(seen).not.toBe(written);
    });

    it("holds across forSubject managers of one root, and never crosses subjects or auth types", async () => {
      const { slow, sessions } = await setup();
      const alice = sessions.forSubject("alice");
      const hold = slow.hold(3);
      const aliceRead = alice.get("password");
      const bobRead = sessions.forSubject("bob").get("password");
      const aliceServer = alice.get("server");
      await hold.readDone;
      await sessions.forSubject("alice").set(signIn, "password");
      hold.release();
      expect(await aliceRead).toMatchObject({ accessToken: signIn.accessToken });
      expect(await bobRead).toBeUndefined();
      expect(await aliceServer).toBeUndefined();
    });

    it("a get issued after a set that has not finished answers with that set (promise and podio-js forms)", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const writing = slow.holdNextWrite();
      const setDone = new Promise<unknown>((resolve) => sessions.set(rotated, "password", resolve));
      await writing.readDone;
      const asPromise = sessions.get("password");
      const byCallback = getByCallback((callback) => sessions.get("password", callback));
      writing.release();
      expect(await asPromise).toMatchObject({ accessToken: rotated.accessToken });
      expect(await byCallback).toMatchObject({ accessToken: rotated.accessToken });
      expect(await setDone).toBeNull();
    });

    it("a get issued after a logout that has not finished answers undefined", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const writing = slow.holdNextWrite();
      const loggedOut = sessions.set({}, "password");
      await writing.readDone;
      const late = sessions.get("password");
      writing.release();
      expect(await late).toBeUndefined();
      await loggedOut;
      expect(await sessions.get("password")).toBeUndefined();
    });

    it("a get issued after a set that then fails answers what the store held", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const writing = slow.holdNextWrite();
      slow.failNextSet();
      const failing = sessions.set(rotated, "password");
      const rejected = expect(failing).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      await writing.readDone;
      const late = sessions.get("password");
      writing.release();
      expect(await late).toMatchObject({ accessToken: signIn.accessToken });
      await rejected;
    });

    it("a write that succeeds and a later one that fails, both while a get is pending: the get answers the first", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const hold = slow.hold();
      const late = sessions.get("password");
      await hold.readDone;
      await sessions.set(rotated, "password");
      slow.failNextSet();
      await expect(sessions.set(signIn, "password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      hold.release();
      // The held read saw the store before the first write; the store now holds that write.
      expect(await late).toMatchObject({ accessToken: rotated.accessToken });
      expect(await sessions.get("password")).toMatchObject({ accessToken: rotated.accessToken });
    });

    it("a write that fails does not answer the pending get: it answers what the store held", async () => {
      const { slow, sessions } = await setup();
      await sessions.set(signIn, "password");
      const hold = slow.hold();
      const late = sessions.get("password");
      await hold.readDone;
      slow.failNextSet();
      await expect(sessions.set(rotated, "password")).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      hold.release();
      expect(await late).toMatchObject({ accessToken: signIn.accessToken });
    });
  });
}
