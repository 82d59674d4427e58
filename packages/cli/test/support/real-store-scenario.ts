import { randomUUID } from "node:crypto";
import { createSessionManager, type SessionStore } from "@sessionstore/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoTime } from "../../src/internal/format.js";
import { runCliProcess } from "./cli-process.js";
import { run } from "./harness.js";

/** A real backend the scenario runs against. */
export interface RealBackend {
  /** The `--store` URI the CLI is given. */
  readonly uri: string;
  /** A fresh store on the same backend, for seeding and checking (the scenario closes it). */
  open(): SessionStore | Promise<SessionStore>;
  /** Removes what the scenario left (temp dirs, keys). */
  cleanup(): Promise<void>;
}

const MINUTE = 60_000;

/**
 * The same end-to-end scenario on every real store: seed sessions through a
 * SessionManager as an app would, then run `sessionstore` with the default
 * store opener and check output, exit codes, and what is left in the store.
 *
 * The read-only checks run the real program in a child process (tsx on the
 * sources: real exit status, and no open handle keeping the process alive);
 * the rest run `runCli` in-process, which is the same code minus ~1 s of
 * process start per call on this shared machine.
 */
export function describeRealStore(name: string, makeBackend: () => Promise<RealBackend>) {
  describe(`sessionstore against a real ${name} store`, () => {
    const namespace = `cli-${randomUUID().slice(0, 12)}`;
    const other = `${namespace}-other`;
    const tokens = {
      alice: { accessToken: `AT-alice-${randomUUID()}`, refreshToken: `RT-alice-${randomUUID()}` },
      bob: { accessToken: `AT-bob-${randomUUID()}` },
      carol: { accessToken: `AT-carol-${randomUUID()}`, refreshToken: `RT-carol-${randomUUID()}` },
    };
    const secrets = Object.values(tokens).flatMap((pair) => Object.values(pair));
    const leaks = (text: string) => secrets.filter((secret) => text.includes(secret));
    let backend: RealBackend;
    let seededAt: number;
    const storeArgs = () => ["--store", backend.uri, "--namespace", namespace];
    const child = (...args: string[]) => runCliProcess([...args, ...storeArgs()]);
    // The real clock: the store's own expiry is wall time.
    const cli = (...args: string[]) => run([...args, ...storeArgs()], { now: Date.now });

    const withStore = async <T>(use: (store: SessionStore) => Promise<T>): Promise<T> => {
      const store = await backend.open();
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    };

    beforeAll(async () => {
      backend = await makeBackend();
      seededAt = Date.now();
      await withStore(async (store) => {
        const manager = createSessionManager(store, { namespace, now: () => seededAt });
        await manager.forSubject("alice").write("password", { ...tokens.alice, expiresIn: 42 * 60, scope: "global" });
        await manager.forSubject("bob").write("server", { ...tokens.bob, expiresIn: 3600 });
        const elsewhere = createSessionManager(store, { namespace: other, now: () => seededAt });
        await elsewhere.forSubject("carol").write("app", { ...tokens.carol, expiresIn: 3600 });
      });
    });

    afterAll(async () => {
      if (!backend) return;
      await withStore(async (store) => {
        await createSessionManager(store, { namespace }).clear();
        await createSessionManager(store, { namespace: other }).clear();
      });
      await backend.cleanup();
    });

    it("[process] list prints subjects, auth types and expiry, and no token value", async () => {
      const { code, stdout, stderr } = await child("list");
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(leaks(stdout)).toEqual([]);
      expect(stdout).toMatch(
        new RegExp(`^alice\\s+password\\s+expires in 4[12] min \\(${isoTime(seededAt + 42 * MINUTE)}\\)\\s+yes`, "m"),
      );
      expect(stdout).toMatch(
        new RegExp(`^bob\\s+server\\s+expires in 60 min \\(${isoTime(seededAt + 60 * MINUTE)}\\)\\s+no`, "m"),
      );
      expect(stdout).toContain(`2 sessions in namespace "${namespace}"`);
      expect(stdout).not.toContain("carol");
    });

    it("[process] show --json parses, holds no token value; a missing session exits 3", async () => {
      const shown = await child("show", "--subject", "alice", "--json");
      expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: "" });
      expect(leaks(shown.stdout)).toEqual([]);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        key: `${namespace}:alice:password`,
        expiresAt: isoTime(seededAt + 42 * MINUTE),
        hiddenFields: ["accessToken", "refreshToken"],
      });
      const missing = await child("show", "--subject", "nobody");
      expect(missing).toMatchObject({ code: 3, stdout: "", signal: null });
      expect(missing.stderr).toContain('no session for subject "nobody"');
    });

    it("list --json parses and carries the same facts", async () => {
      const { code, stdout, stderr } = await cli("list", "--json");
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(leaks(stdout)).toEqual([]);
      const parsed = JSON.parse(stdout);
      expect(parsed.namespace).toBe(namespace);
      expect(parsed.sessions).toEqual([
        expect.objectContaining({
          key: `${namespace}:alice:password`,
          readable: true,
          expiresAt: isoTime(seededAt + 42 * MINUTE),
          expired: false,
          refreshable: true,
          updatedAt: isoTime(seededAt),
        }),
        expect.objectContaining({ key: `${namespace}:bob:server`, refreshable: false }),
      ]);
    });

    it("show prints metadata only; --reveal prints the tokens with a warning", async () => {
      const hidden = await cli("show", "--subject", "alice", "--auth-type", "password");
      expect({ code: hidden.code, stderr: hidden.stderr }).toEqual({ code: 0, stderr: "" });
      expect(leaks(hidden.stdout)).toEqual([]);
      expect(hidden.stdout).toMatch(/^scope\s+global$/m);
      expect(hidden.stdout).toMatch(/^hidden\s+accessToken, refreshToken /m);

      const revealed = await cli("show", "--subject", "alice", "--reveal", "--json");
      expect(revealed.code).toBe(0);
      expect(revealed.stderr).toMatch(/^warning: --reveal prints token values/);
      expect(JSON.parse(revealed.stdout).tokens).toEqual(tokens.alice);
    });

    it("delete removes one session; a second delete exits 3", async () => {
      const first = await cli("delete", "--subject", "bob");
      expect(first).toMatchObject({ code: 0, stdout: `Deleted session "${namespace}:bob:server".\n`, stderr: "" });
      await withStore(async (store) => {
        const manager = createSessionManager(store, { namespace });
        expect(await manager.forSubject("bob").read("server")).toBeUndefined();
        expect(await manager.forSubject("alice").read("password")).toBeDefined();
      });
      const again = await cli("delete", "--subject", "bob", "--auth-type", "server", "--json");
      expect(again.code).toBe(3);
      expect(JSON.parse(again.stderr).error).toMatchObject({ code: "ERR_NOT_FOUND", exitCode: 3 });
      expect(leaks(`${again.stdout}${again.stderr}`)).toEqual([]);
    });

    it("clear needs --yes, then empties the namespace and nothing else", async () => {
      const refused = await cli("clear");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("pass --yes");
      const cleared = await cli("clear", "--yes", "--json");
      expect(cleared.code).toBe(0);
      expect(JSON.parse(cleared.stdout)).toMatchObject({ namespace, deleted: 1 });
      expect(leaks(`${refused.stdout}${refused.stderr}${cleared.stdout}${cleared.stderr}`)).toEqual([]);
      await withStore(async (store) => {
        expect(await createSessionManager(store, { namespace }).list()).toEqual([]);
        const survivors = await createSessionManager(store, { namespace: other }).list();
        expect(survivors.map((info) => info.subject)).toEqual(["carol"]);
      });
    });
  });
}
