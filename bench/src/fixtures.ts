import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuthObject, encodeSession, normalizeAuthObject } from "@sessionstore/core";

/** Concurrent callers in the "many callers" cases (the 50). */
export const CALLERS = 50;

/** A random suffix for namespaces, key prefixes and table names: the backends are shared. */
export function uniqueId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/** A session shaped like a real one (JWT-sized tokens, podio's `ref`). */
export function sampleAuth(): AuthObject {
  return {
    accessToken: `eyJ${randomBytes(180).toString("base64url")}`,
    refreshToken: randomBytes(32).toString("base64url"),
    expiresIn: 3600,
    tokenType: "bearer",
    scope: "global:read global:write",
    ref: { type: "user", id: 42 },
  };
}

/** The JSON text a SessionManager stores for `auth`: what the raw baselines move, so both sides move the same bytes. */
export function recordText(auth: AuthObject): string {
  const now = Date.now();
  return JSON.stringify(encodeSession({ auth: normalizeAuthObject(auth, now), updatedAt: now }));
}

/** The key a SessionManager uses, so raw baselines read and write keys of the same length. */
export function managerKey(namespace: string, subject: string): string {
  return `${namespace}:${subject}:password`;
}

/** Subjects `user-0` … `user-(count-1)`: concurrent callers each own a session, as on a server. */
export function subjects(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `user-${index}`);
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(label: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `sessionstore-bench-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
