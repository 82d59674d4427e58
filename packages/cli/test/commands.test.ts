import { randomUUID } from "node:crypto";
import { EXIT_CODES } from "@sessionstore/cli";
import { SessionStoreError } from "@sessionstore/core";
import { beforeEach, describe, expect, it } from "vitest";
import { containsSecret, NOW, run, SECRETS, seed, sharedMemoryStore } from "./support/harness.js";

const STORE = ["--store", "sqlite:./ignored.db"];

function setup() {
  const memory = sharedMemoryStore();
  const namespace = `ns-${randomUUID().slice(0, 8)}`;
  const cli = (...argv: string[]) => run([...argv, ...STORE, "--namespace", namespace], { openStore: memory.opener });
  return { ...memory, namespace, cli };
}

describe("list", () => {
  let context: ReturnType<typeof setup>;
  beforeEach(async () => {
    context = setup();
    await seed(context.store, context.namespace, [
      { subject: "alice", authType: "password", expiresIn: 42 * 60, extra: { transferToken: SECRETS.transfer } },
      { subject: "alice", authType: "server", expiresIn: 8 * 3600 },
      { subject: "bob", authType: "client", expiresIn: 60, extra: { idToken: SECRETS.idToken } },
    ]);
    // An expired, refreshable session written 3 hours ago.
    await seed(
      context.store,
      context.namespace,
      [{ subject: "carol", authType: "app", expiresIn: 3600 }],
      NOW - 3 * 3600_000,
    );
    // Another namespace in the same store must not show up.
    await seed(context.store, "other", [{ subject: "mallory", authType: "password", expiresIn: 60 }]);
  });

  it("prints subjects, auth types and expiry (relative and absolute) but no token value", async () => {
    const { code, stdout, stderr } = await context.cli("list");
    expect({ code, stderr }).toEqual({ code: EXIT_CODES.OK, stderr: "" });
    expect(containsSecret(stdout)).toBe(false);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^SUBJECT\s+AUTH TYPE\s+ACCESS TOKEN\s+REFRESH\s+UPDATED$/);
    // Sorted by subject, then in AUTH_TYPES order (server, client, password, app).
    expect(lines[1]).toMatch(/^alice\s+server\s+expires in 8 h \(2026-11-23T17:18:00Z\)\s+yes\s+now$/);
    expect(lines[2]).toMatch(/^alice\s+password\s+expires in 42 min \(2026-11-23T10:00:00Z\)\s+yes\s+now$/);
    expect(lines[3]).toMatch(/^bob\s+client\s+expires in 1 min \(2026-11-23T09:19:00Z\)/);
    expect(lines[4]).toMatch(/^carol\s+app\s+expired 2 h ago \(2026-11-23T07:18:00Z\)\s+yes\s+3 h ago$/);
    expect(stdout).toContain(`4 sessions in namespace "${context.namespace}"`);
    expect(stdout).not.toContain("mallory");
  });

  it("--json prints parseable metadata for scripts, still without token values", async () => {
    const { code, stdout } = await context.cli("list", "--json");
    expect(code).toBe(EXIT_CODES.OK);
    expect(containsSecret(stdout)).toBe(false);
    const parsed = JSON.parse(stdout);
    expect(parsed.namespace).toBe(context.namespace);
    expect(parsed.store).toMatch(/^sqlite:\/.*ignored\.db$/);
    expect(parsed.sessions).toHaveLength(4);
    expect(parsed.sessions[1]).toEqual({
      key: `${context.namespace}:alice:password`,
      subject: "alice",
      authType: "password",
      readable: true,
      expiresAt: "2026-11-23T10:00:00Z",
      expiresInSeconds: 2520,
      expired: false,
      refreshable: true,
      updatedAt: "2026-11-23T09:18:00Z",
    });
    expect(parsed.sessions[3]).toMatchObject({ subject: "carol", expired: true, expiresInSeconds: -7200 });
  });

  it("filters by --subject and --auth-type", async () => {
    const bySubject = JSON.parse((await context.cli("list", "--json", "--subject", "alice")).stdout);
    expect(bySubject.sessions.map((s: { authType: string }) => s.authType)).toEqual(["server", "password"]);
    const byType = JSON.parse((await context.cli("list", "--json", "--auth-type", "client")).stdout);
    expect(byType.sessions.map((s: { subject: string }) => s.subject)).toEqual(["bob"]);
    const none = await context.cli("list", "--subject", "nobody");
    expect(none).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^No sessions matching the filter in namespace/),
    });
  });

  it("--reveal prints token values, with a warning on stderr", async () => {
    const { code, stdout, stderr } = await context.cli("list", "--reveal", "--subject", "alice");
    expect(code).toBe(EXIT_CODES.OK);
    expect(stderr).toMatch(/^warning: --reveal prints token values/);
    expect(stdout).toContain(`accessToken  ${SECRETS.access}-alice-password`);
    expect(stdout).toContain(`refreshToken  ${SECRETS.refresh}-alice-server`);
    expect(stdout).toContain(`transferToken  ${SECRETS.transfer}`);
    const json = JSON.parse((await context.cli("list", "--reveal", "--json", "--subject", "bob")).stdout);
    expect(json.sessions[0].tokens).toEqual({
      accessToken: `${SECRETS.access}-bob-client`,
      refreshToken: `${SECRETS.refresh}-bob-client`,
      idToken: SECRETS.idToken,
    });
  });

  it("an empty namespace is a success", async () => {
    const { code, stdout } = await run(["list", ...STORE, "--namespace", "empty"], { openStore: context.opener });
    expect(code).toBe(EXIT_CODES.OK);
    expect(stdout).toMatch(/^No sessions in namespace "empty"/);
    const json = await run(["list", ...STORE, "--namespace", "empty", "--json"], { openStore: context.opener });
    expect(JSON.parse(json.stdout).sessions).toEqual([]);
  });

  it("lists a corrupt record as unreadable instead of failing", async () => {
    await context.store.set(`${context.namespace}:dave:password`, { garbage: true });
    const { code, stdout } = await context.cli("list");
    expect(code).toBe(EXIT_CODES.OK);
    expect(stdout).toMatch(/dave\s+password\s+unreadable record/);
    const json = JSON.parse((await context.cli("list", "--json", "--subject", "dave")).stdout);
    expect(json.sessions[0]).toMatchObject({ readable: false, refreshable: null, expiresAt: null });
  });

  it("masks terminal control characters hidden in stored values", async () => {
    await seed(context.store, context.namespace, [
      { subject: "eve", authType: "password", expiresIn: 60, extra: { scope: "read\u001b[2Jwrite" } },
    ]);
    const { stdout } = await context.cli("show", "--subject", "eve");
    expect(stdout).not.toContain("\u001b");
    expect(stdout).toContain("read\\u001b[2Jwrite");
  });
});

describe("show", () => {
  let context: ReturnType<typeof setup>;
  beforeEach(async () => {
    context = setup();
    await seed(context.store, context.namespace, [
      {
        subject: "alice",
        authType: "password",
        expiresIn: 42 * 60,
        extra: { transferToken: SECRETS.transfer, ref: { type: "app", id: 7 }, idToken: SECRETS.idToken },
      },
      { subject: "bob", authType: "client", expiresIn: 60, refresh: false },
      { subject: "bob", authType: "server", expiresIn: 60 },
    ]);
  });

  it("prints one session's metadata and names the hidden fields, never their values", async () => {
    const { code, stdout, stderr } = await context.cli("show", "--subject", "alice", "--auth-type", "password");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(containsSecret(stdout)).toBe(false);
    expect(stdout).toMatch(/^key\s+ns-\w+:alice:password$/m);
    expect(stdout).toMatch(/^access token\s+expires in 42 min \(2026-11-23T10:00:00Z\)$/m);
    expect(stdout).toMatch(/^refresh token\s+held, no expiry recorded$/m);
    expect(stdout).toMatch(/^scope\s+global$/m);
    expect(stdout).toMatch(/^ref\s+\{"type":"app","id":7\}$/m);
    expect(stdout).toMatch(/^hidden\s+accessToken, refreshToken, transferToken, idToken \(use --reveal/m);
  });

  it("finds the subject's only session without --auth-type", async () => {
    const { code, stdout } = await context.cli("show", "--subject", "alice", "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({
      subject: "alice",
      authType: "password",
      expiresAt: "2026-11-23T10:00:00Z",
      refreshable: true,
      scope: "global",
      tokenType: "bearer",
      ref: { type: "app", id: 7 },
      hiddenFields: ["accessToken", "refreshToken", "transferToken", "idToken"],
    });
    expect(parsed).not.toHaveProperty("tokens");
    expect(containsSecret(stdout)).toBe(false);
  });

  it("refuses to guess between several sessions (exit 1) and names them", async () => {
    const { code, stderr } = await context.cli("show", "--subject", "bob");
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(stderr).toContain('subject "bob" has 2 sessions (server, client)');
    expect(stderr).toContain("pass --auth-type");
    expect(stderr).toContain('Run "sessionstore help show" for usage.');
  });

  it("exits 3 when there is no such session", async () => {
    const missing = await context.cli("show", "--subject", "bob", "--auth-type", "app");
    expect(missing.code).toBe(EXIT_CODES.NOT_FOUND);
    expect(missing.stderr).toContain('no session for subject "bob" with auth type "app"');
    const noDefault = await context.cli("show");
    expect(noDefault.code).toBe(EXIT_CODES.NOT_FOUND);
    expect(noDefault.stderr).toContain('(no --subject given, so "default" was used)');
    const json = await context.cli("show", "--subject", "zed", "--json");
    expect(json.stdout).toBe("");
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: "ERR_NOT_FOUND", message: expect.stringContaining("zed"), exitCode: 3 },
    });
  });

  it("--reveal prints the token values with a warning", async () => {
    const text = await context.cli("show", "--subject", "alice", "--reveal");
    expect(text.stderr).toMatch(/^warning: --reveal/);
    expect(text.stdout).toMatch(new RegExp(`^accessToken\\s+${SECRETS.access}-alice-password$`, "m"));
    expect(text.stdout).toMatch(new RegExp(`^idToken\\s+${SECRETS.idToken}$`, "m"));
    const json = JSON.parse((await context.cli("show", "--subject", "alice", "--reveal", "--json")).stdout);
    expect(json.tokens).toEqual({
      accessToken: `${SECRETS.access}-alice-password`,
      refreshToken: `${SECRETS.refresh}-alice-password`,
      transferToken: SECRETS.transfer,
      idToken: SECRETS.idToken,
    });
  });

  it("exits 4 on a corrupt record", async () => {
    await context.store.set(`${context.namespace}:carol:app`, { v: 99 });
    const { code, stderr } = await context.cli("show", "--subject", "carol");
    expect(code).toBe(EXIT_CODES.UNREADABLE_RECORD);
    expect(stderr).toContain("unknown version");
  });
});

describe("delete", () => {
  it("removes exactly one session and exits 3 when it is not there", async () => {
    const context = setup();
    await seed(context.store, context.namespace, [
      { subject: "alice", authType: "password", expiresIn: 60 },
      { subject: "alice", authType: "server", expiresIn: 60 },
    ]);
    const ambiguous = await context.cli("delete", "--subject", "alice");
    expect(ambiguous.code).toBe(EXIT_CODES.USAGE);
    expect(context.store.list(`${context.namespace}:`)).toHaveLength(2);

    const deleted = await context.cli("delete", "--subject", "alice", "--auth-type", "server", "--json");
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({
      deleted: { key: `${context.namespace}:alice:server`, subject: "alice", authType: "server" },
    });
    expect(context.store.list(`${context.namespace}:`)).toEqual([`${context.namespace}:alice:password`]);

    const again = await context.cli("delete", "--subject", "alice", "--auth-type", "server");
    expect(again.code).toBe(EXIT_CODES.NOT_FOUND);
    const last = await context.cli("delete", "--subject", "alice");
    expect(last).toMatchObject({ code: 0, stdout: `Deleted session "${context.namespace}:alice:password".\n` });
  });

  it("deletes a corrupt record (the way to clean one up)", async () => {
    const context = setup();
    await context.store.set(`${context.namespace}:bob:client`, { not: "a session" });
    const { code } = await context.cli("delete", "--subject", "bob");
    expect(code).toBe(0);
    expect(await context.store.get(`${context.namespace}:bob:client`)).toBeUndefined();
  });
});

describe("clear", () => {
  it("refuses without --yes, before touching the store", async () => {
    const context = setup();
    await seed(context.store, context.namespace, [{ subject: "alice", authType: "password", expiresIn: 60 }]);
    const { code, stderr } = await context.cli("clear");
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(stderr).toContain(`clear deletes every session in namespace "${context.namespace}"`);
    expect(stderr).toContain("pass --yes");
    expect(context.opened()).toBe(0);
    expect(context.store.list(`${context.namespace}:`)).toHaveLength(1);
  });

  it("--yes removes every session of the namespace and nothing else", async () => {
    const context = setup();
    await seed(context.store, context.namespace, [
      { subject: "alice", authType: "password", expiresIn: 60 },
      { subject: "bob", authType: "client", expiresIn: 60 },
    ]);
    await seed(context.store, `${context.namespace}x`, [{ subject: "alice", authType: "password", expiresIn: 60 }]);
    await context.store.set(`${context.namespace}:unrelated`, { keep: true });
    const { code, stdout } = await context.cli("clear", "--yes", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ namespace: context.namespace, deleted: 2 });
    expect(context.store.list(`${context.namespace}`).sort()).toEqual([
      `${context.namespace}:unrelated`,
      `${context.namespace}x:alice:password`,
    ]);
  });

  it("--subject and --auth-type narrow what is cleared", async () => {
    const context = setup();
    await seed(context.store, context.namespace, [
      { subject: "alice", authType: "password", expiresIn: 60 },
      { subject: "alice", authType: "app", expiresIn: 60 },
      { subject: "bob", authType: "app", expiresIn: 60 },
      { subject: "bob", authType: "client", expiresIn: 60 },
    ]);
    const bySubject = await context.cli("clear", "--yes", "--subject", "alice");
    expect(bySubject.stdout).toMatch(/^Deleted 2 sessions from namespace/);
    const byType = await context.cli("clear", "-y", "--auth-type", "app");
    expect(byType.stdout).toMatch(/^Deleted 1 session from namespace/);
    expect(context.store.list(`${context.namespace}:`)).toEqual([`${context.namespace}:bob:client`]);
  });
});

describe("store failures", () => {
  it("an opener that fails is exit 2 with the reason", async () => {
    const { code, stderr } = await run(["list", ...STORE], {
      openStore: () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:1");
      },
    });
    expect(code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(stderr).toContain("ECONNREFUSED");
  });

  it("a store that never answers is exit 2 after --timeout", async () => {
    const { code, stderr } = await run(["list", ...STORE, "--timeout", "100"], {
      openStore: () => ({
        capabilities: { lock: false, list: true, nativeExpiry: false },
        get: () => new Promise(() => undefined),
        set: () => undefined,
        delete: () => false,
        list: () => new Promise<string[]>(() => undefined),
        close: () => undefined,
      }),
    });
    expect(code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(stderr).toContain("did not answer list within 100 ms");
  });

  it("an opener that never resolves is exit 2 after --timeout", async () => {
    const { code, stderr } = await run(["list", ...STORE, "--timeout", "100"], {
      openStore: () => new Promise(() => undefined),
    });
    expect(code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(stderr).toContain("took longer than 100 ms");
  });

  it("a store that opens after the deadline is closed, not leaked", async () => {
    const { store } = sharedMemoryStore();
    let closeLate: () => void = () => undefined;
    const closedLate = new Promise<void>((resolve) => {
      closeLate = resolve;
    });
    let answer: () => void = () => undefined;
    const { code } = await run(["list", ...STORE, "--timeout", "50"], {
      openStore: () =>
        new Promise((resolve) => {
          answer = () => resolve({ ...store, capabilities: store.capabilities, close: () => closeLate() });
        }),
    });
    expect(code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    answer();
    await closedLate;
  });

  it("a store that cannot list says so (exit 2) while show still works", async () => {
    const { store, opener } = sharedMemoryStore();
    await seed(store, "sessionstore", [{ subject: "default", authType: "password", expiresIn: 60 }]);
    const noList = () => {
      const opened = opener(undefined as never, { timeoutMs: 1000, readOnly: false }) as typeof store;
      return { ...opened, capabilities: { ...store.capabilities, list: false } };
    };
    const list = await run(["list", ...STORE], { openStore: noList });
    expect(list.code).toBe(EXIT_CODES.STORE_UNAVAILABLE);
    expect(list.stderr).toContain("cannot list");
    const show = await run(["show", ...STORE], { openStore: noList });
    expect(show.code).toBe(0);
  });

  it("token-looking text in a backend error is redacted", async () => {
    const { stderr } = await run(["list", ...STORE], {
      openStore: () => {
        throw new SessionStoreError("ERR_STORE_UNAVAILABLE", `write failed: access_token=${SECRETS.access}`);
      },
    });
    expect(containsSecret(stderr)).toBe(false);
    expect(stderr).toContain("access_token=[redacted]");
  });

  it("a close failure is a warning, not a failed command", async () => {
    const { store, opener } = sharedMemoryStore();
    const { code, stderr } = await run(["list", ...STORE], {
      openStore: (uri, options) => ({
        ...(opener(uri, options) as typeof store),
        close: () => Promise.reject(new Error("socket hang up")),
      }),
    });
    expect(code).toBe(0);
    expect(stderr).toContain("sessionstore: warning: closing the store failed: Error: socket hang up");
  });
});

describe("error causes", () => {
  it("prints the cause a store error carries (the real reason), masked and redacted", async () => {
    const failing = () => {
      throw new SessionStoreError("ERR_STORE_UNAVAILABLE", "Redis was not reachable within 500 ms", {
        cause: new Error(`connect ECONNREFUSED redis://:hunter2@127.0.0.1:1 refresh_token=${SECRETS.refresh}`),
      });
    };
    const text = await run(["list", "--store", "redis://:hunter2@127.0.0.1:1"], { openStore: failing });
    expect(text.stderr).toContain(
      "sessionstore: Redis was not reachable within 500 ms\n  caused by: connect ECONNREFUSED",
    );
    expect(containsSecret(text.stderr)).toBe(false);
    expect(text.stderr).not.toContain("hunter2");
    expect(text.stderr).toContain("redis://:[redacted]@127.0.0.1:1");
    const json = await run(["list", "--json", "--store", "redis://127.0.0.1:1"], { openStore: failing });
    expect(JSON.parse(json.stderr).error).toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      causes: [expect.stringContaining("ECONNREFUSED")],
      exitCode: 2,
    });
  });
});
