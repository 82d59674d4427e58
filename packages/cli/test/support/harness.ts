import { randomUUID } from "node:crypto";
import { type CliIO, runCli, type StoreOpener } from "@sessionstore/cli";
import {
  type AuthType,
  createMemoryStore,
  createSessionManager,
  type MemoryStore,
  type SessionStore,
} from "@sessionstore/core";

/** Token values that must never show up in output without --reveal. */
export const SECRETS = {
  access: `AT-${randomUUID()}`,
  refresh: `RT-${randomUUID()}`,
  transfer: `TT-${randomUUID()}`,
  idToken: `ID-${randomUUID()}`,
} as const;

/** Fixed "now" for the in-process tests: 2026-11-23T09:18:00Z. */
export const NOW = Date.parse("2026-11-23T09:18:00Z");

export interface Seed {
  subject: string;
  authType: AuthType;
  /** Access token lifetime from NOW, seconds. */
  expiresIn?: number;
  refresh?: boolean;
  extra?: Record<string, unknown>;
}

/** Writes sessions through a real SessionManager, the way an app would. */
export async function seed(store: SessionStore, namespace: string, seeds: readonly Seed[], now = NOW): Promise<void> {
  const manager = createSessionManager(store, { namespace, now: () => now });
  for (const entry of seeds) {
    await manager.forSubject(entry.subject).write(entry.authType, {
      accessToken: `${SECRETS.access}-${entry.subject}-${entry.authType}`,
      ...(entry.refresh === false ? {} : { refreshToken: `${SECRETS.refresh}-${entry.subject}-${entry.authType}` }),
      ...(entry.expiresIn === undefined ? {} : { expiresIn: entry.expiresIn }),
      tokenType: "bearer",
      scope: "global",
      ...entry.extra,
    });
  }
}

/** A memory store the CLI can open and close without losing what the test wants to inspect afterwards. */
export function sharedMemoryStore(): { store: MemoryStore; opener: StoreOpener; opened: () => number } {
  const store = createMemoryStore();
  let count = 0;
  const opener: StoreOpener = () => {
    count += 1;
    return { ...store, capabilities: store.capabilities, close: () => undefined };
  };
  return { store, opener, opened: () => count };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process and collects its output. */
export async function run(argv: readonly string[], io: Partial<CliIO> = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    now: () => NOW,
    ...io,
  });
  return { code, stdout, stderr };
}

/** Asserts none of the seeded token values appear in `text`. */
export function containsSecret(text: string): boolean {
  return Object.values(SECRETS).some((secret) => text.includes(secret));
}
