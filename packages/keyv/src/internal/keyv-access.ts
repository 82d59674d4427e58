import { SessionStoreError, toStoreError } from "@sessionstore/core";
import type { KeyvInstance } from "../keyv-instance.js";

interface ErrorEmitter {
  on(event: "error", listener: (error: unknown) => void): unknown;
  off(event: "error", listener: (error: unknown) => void): unknown;
}

function isErrorEmitter(value: unknown): value is ErrorEmitter {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<"on" | "off", unknown>>;
  return typeof candidate.on === "function" && typeof candidate.off === "function";
}

/**
 * Keyv prefixes a key with `<namespace>:` unless it already starts with that,
 * so the keys `x` and `<namespace>:x` would land on the same entry. Prefixing
 * ourselves makes every key map to exactly one stored key.
 */
export function storageKeyOf(keyv: KeyvInstance, key: string): string {
  return keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}:${key}` : key;
}

/**
 * Turns a key yielded by `keyv.iterator()` back into our key, or `undefined`
 * when it is not one of ours. Keyv strips the first `:`-separated segment of
 * the stored key, which is only the whole namespace when it has no `:` itself.
 */
export function keyFromIterated(keyv: KeyvInstance, iterated: string): string | undefined {
  const namespace = keyv.namespace;
  if (!keyv.useKeyPrefix || !namespace) return iterated;
  const stored = `${namespace.split(":")[0] ?? ""}:${iterated}`;
  return stored.startsWith(`${namespace}:`) ? stored.slice(namespace.length + 1) : undefined;
}

function isSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError || (error instanceof Error && error.name === "SyntaxError");
}

/**
 * Runs one Keyv call and maps a JSON `SyntaxError`: it comes from Keyv's
 * deserializer (stored bytes that are not a Keyv entry). Anything else is the
 * backend failing, mapped by the store kit.
 * @param subject what was being read, for the corrupt-record message (`record at key "k"`).
 */
export async function callKeyv<T>(subject: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSyntaxError(error)) {
      // Not chained: V8's SyntaxError quotes the stored text (the tokens) around the fault.
      throw new SessionStoreError("ERR_CORRUPT_RECORD", `${subject} could not be deserialized by Keyv`);
    }
    throw error;
  }
}

/**
 * Runs `run` while listening for `error` events. Some adapters' iterators
 * (@keyv/postgres 2) catch a failed query, emit `error` and end as if the table
 * were empty: without this, a dead backend would list nothing instead of
 * failing. Listens on the adapter when it is an emitter (Keyv forwards its
 * errors, but drops them when `emitErrors` is false), else on Keyv.
 */
export async function failOnEmittedError<T>(keyv: KeyvInstance, operation: string, run: () => Promise<T>): Promise<T> {
  const emitter: ErrorEmitter = isErrorEmitter(keyv.store) ? keyv.store : keyv;
  let emitted: { error: unknown } | undefined;
  const onError = (error: unknown) => {
    emitted ??= { error };
  };
  emitter.on("error", onError);
  try {
    const result = await run();
    if (emitted) throw toStoreError(emitted.error, operation);
    return result;
  } finally {
    emitter.off("error", onError);
  }
}
