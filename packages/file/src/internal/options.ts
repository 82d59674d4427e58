import { resolve } from "node:path";
import { SessionStoreError } from "@sessionstore/core";
import type { FileStoreOptions } from "../file-store.js";

/** {@link FileStoreOptions} checked, with every default applied. */
export interface ResolvedFileStoreOptions {
  readonly path: string;
  readonly now: () => number;
  readonly lockStaleMs: number;
  readonly lockWaitMs: number;
  readonly lockPollMs: number;
  readonly onWarning: (error: Error) => void;
  readonly readOnly: boolean;
  readonly watchPollMs: number | undefined;
}

function invalid(field: string, message: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `${field} ${message}`, { field });
}

function readDuration(value: unknown, field: string, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(field, `must be a ${allowZero ? "non-negative" : "positive"} number of milliseconds`);
  }
  return value;
}

function readFunction<T>(value: unknown, field: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "function") throw invalid(field, "must be a function");
  return value as T;
}

function readFlag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalid(field, "must be true or false");
  return value;
}

function emitWarning(error: Error): void {
  process.emitWarning(error);
}

/** Validates what the caller passed to `createFileStore`; names the offending option. */
export function resolveFileStoreOptions(options: FileStoreOptions): ResolvedFileStoreOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid("options", "must be an object with a `path` (the JSON file to keep sessions in)");
  }
  const candidate = options as unknown as Record<string, unknown>;
  const path = candidate.path;
  if (typeof path !== "string" || path.trim().length === 0 || path.includes("\0")) {
    throw invalid("path", "must be a non-empty file path (the JSON file to keep sessions in)");
  }
  return {
    path: resolve(path),
    now: readFunction(candidate.now, "now", Date.now),
    lockStaleMs: readDuration(candidate.lockStaleMs, "lockStaleMs", 10_000, false),
    lockWaitMs: readDuration(candidate.lockWaitMs, "lockWaitMs", 10_000, true),
    lockPollMs: readDuration(candidate.lockPollMs, "lockPollMs", 10, false),
    onWarning: readFunction(candidate.onWarning, "onWarning", emitWarning),
    readOnly: readFlag(candidate.readOnly, "readOnly"),
    watchPollMs:
      candidate.watchPollMs === undefined ? undefined : readDuration(candidate.watchPollMs, "watchPollMs", 0, false),
  };
}
