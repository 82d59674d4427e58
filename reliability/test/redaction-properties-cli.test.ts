// Property: the `sessionstore` CLI, run as a real child process over a real
// SQLite file that holds hostile records (a corrupt record quoting a token, an
// updatedAt no Date can hold, field names and values with terminal escapes),
// prints no token of a record it cannot read, no raw control character, lists
// the hostile records as unreadable and still shows the others. A user who
// passes the key itself to --key-env never sees it echoed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSessionManager, generateEncryptionKey, type SessionStore } from "@sessionstore/core";
import { createSqliteStore } from "@sessionstore/sqlite";
import fc from "fast-check";
import sqlite3 from "sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type ProcessResult, runCliProcess } from "../../packages/cli/test/support/cli-process.js";
import { leaksOf, type Secret, secretArb } from "./support/secrets.js";

const dirs: string[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map(async (store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sqliteRun(path: string, sql: string, parameters: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (openError) => {
      if (openError) return reject(openError);
      db.run(sql, parameters, function done(this: { changes: number }, error: Error | null) {
        const changes = this?.changes ?? 0;
        db.close(() => (error ? reject(error) : resolve(changes)));
      });
    });
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Secrets whose core comes first, so the core sits right at the syntax error V8 quotes. */
const coreFirst = secretArb.map(({ value, core }) => ({ value: value.slice(value.indexOf(core)), core }));
const hostileText = fc
  .tuple(fc.constantFrom("\u001b[31m", "\u001b]0;pwned\u0007", "\u009b2J", "\u202e", "\r", "\b"), fc.string())
  .map(([sequence, rest]) => `x${sequence}${rest}`);

/** A store file with one good session and three hostile ones; returns its path. */
async function hostileStore(
  secret: Secret,
  fieldName: string,
  scope: string,
): Promise<{ path: string; namespace: string }> {
  const dir = mkdtempSync(join(tmpdir(), "sessionstore-cli-redact-"));
  dirs.push(dir);
  const path = join(dir, "sessions.db");
  const namespace = "redact";
  const store = createSqliteStore({ path, purgeIntervalMs: 0 });
  stores.push(store);
  const manager = createSessionManager(store, { namespace });
  await manager
    .forSubject("good")
    .set({ accessToken: "good-access", refreshToken: "good-refresh", expiresIn: 3600 }, "password");
  await manager.forSubject("bad").set({ accessToken: "placeholder", expiresIn: 3600 }, "password");
  await manager
    .forSubject("evil")
    .set({ accessToken: "evil-access", expiresIn: 3600, scope, [fieldName]: scope }, "password");
  // A record whose updatedAt no Date can hold, written as a store user could.
  await store.set(manager.forSubject("huge").keyFor("password"), {
    v: 1,
    auth: { accessToken: "huge-access" },
    updatedAt: 1e300,
  });
  await store.close();
  const corrupt = `{"value":"{\\"expiresAt\\":null,\\"record\\":{\\"v\\":1,\\"auth\\":{\\"accessToken\\": ${secret.value}`;
  const changed = await sqliteRun(path, "UPDATE sessions SET value = ? WHERE key = ?", [
    corrupt,
    manager.forSubject("bad").keyFor("password"),
  ]);
  if (changed !== 1) throw new Error("the corrupt record was not written");
  return { path, namespace };
}

function expectClean(result: ProcessResult, secret: Secret): void {
  expect(leaksOf([secret], [result.stdout, result.stderr])).toEqual([]);
  expect(RAW_CONTROL.test(result.stdout)).toBe(false);
  expect(RAW_CONTROL.test(result.stderr)).toBe(false);
}

describe("CLI over hostile records (child processes)", () => {
  it("list, list --json, list --reveal and show: hostile records unreadable, the rest shown, nothing leaked or raw", async () => {
    await fc.assert(
      fc.asyncProperty(coreFirst, hostileText, hostileText, async (secret, fieldName, scope) => {
        const { path, namespace } = await hostileStore(secret, fieldName, scope);
        const base = ["--store", `sqlite:${path}`, "--namespace", namespace];
        const [list, listJson, reveal, showBad, showHuge, showEvil] = await Promise.all([
          runCliProcess(["list", ...base], { killAfterMs: 60_000 }),
          runCliProcess(["list", "--json", ...base], { killAfterMs: 60_000 }),
          runCliProcess(["list", "--reveal", ...base], { killAfterMs: 60_000 }),
          runCliProcess(["show", "--subject", "bad", ...base], { killAfterMs: 60_000 }),
          runCliProcess(["show", "--subject", "huge", "--json", ...base], { killAfterMs: 60_000 }),
          runCliProcess(["show", "--subject", "evil", "--reveal", ...base], { killAfterMs: 60_000 }),
        ]);
        for (const result of [list, listJson, reveal, showBad, showHuge, showEvil]) expectClean(result, secret);

        expect(list.code).toBe(0);
        expect(list.stdout).toMatch(/good\s+password\s+expires in/);
        expect(list.stdout).toMatch(/bad\s+password\s+unreadable record/);
        expect(list.stdout).toMatch(/huge\s+password\s+unreadable record/);
        expect(listJson.code).toBe(0);
        const rows = (JSON.parse(listJson.stdout) as { sessions: { subject: string; readable: boolean }[] }).sessions;
        expect(Object.fromEntries(rows.map((row) => [row.subject, row.readable]))).toEqual({
          bad: false,
          evil: true,
          good: true,
          huge: false,
        });
        expect(reveal.code).toBe(0);
        expect(reveal.stdout).toContain("good-refresh");
        expect(showBad.code).toBe(4);
        expect(showHuge.code).toBe(4);
        expect(showEvil.code).toBe(0);
        expect(showEvil.stdout).toContain("evil-access");
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);

  it("--key-env given the key itself (instead of a variable's name) never prints it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sessionstore-cli-keyenv-"));
    dirs.push(dir);
    const keys = [
      generateEncryptionKey(),
      generateEncryptionKey().replace(/[-_]/g, "A"),
      `k1=${generateEncryptionKey()}`,
    ];
    const results = await Promise.all(
      keys.map((key) =>
        runCliProcess(["list", "--store", `sqlite:${join(dir, "s.db")}`, "--key-env", key], { killAfterMs: 60_000 }),
      ),
    );
    for (const [index, result] of results.entries()) {
      const key = keys[index]!.replace(/^k1=/, "");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("--key-env");
      expect(leaksOf([{ value: key, core: key.slice(0, 16) }], [result.stdout, result.stderr])).toEqual([]);
    }
  }, 120_000);
});
