import { SessionStoreError } from "./errors.js";

/** The JavaScript runtime the code runs in, as far as stores care. */
export type RuntimeName = "node" | "bun" | "deno" | "workerd" | "browser" | "unknown";

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
  navigator?: { userAgent?: string };
  document?: unknown;
  process?: { versions?: { node?: string } };
}

/**
 * Which runtime this is. Checked in this order because runtimes imitate each
 * other: Bun and Deno also expose `process.versions.node`, and workerd with
 * `nodejs_compat` has `process` too, so Node comes last.
 */
export function detectRuntime(): RuntimeName {
  const globals = globalThis as RuntimeGlobals;
  if (globals.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  if (typeof globals.process?.versions?.node === "string") return "node";
  if (globals.document !== undefined) return "browser";
  return "unknown";
}

const RUNTIME_LABELS: Record<RuntimeName, string> = {
  node: "Node.js",
  bun: "Bun",
  deno: "Deno",
  workerd: "Cloudflare workerd",
  browser: "the browser",
  unknown: "this runtime",
};

/** A readable name for a runtime, for messages ("Cloudflare workerd", "Deno"). */
export function runtimeLabel(runtime: RuntimeName = detectRuntime()): string {
  return RUNTIME_LABELS[runtime];
}

/**
 * Refuses to create a store in a runtime that cannot run it, at creation and
 * with a message naming the runtime, what is missing and what to use instead,
 * rather than letting it fail (or silently lose data) deep inside later.
 * @throws `ERR_STORE_UNAVAILABLE` when the current runtime is in `unsupported`.
 */
export function assertRuntimeSupports(
  store: string,
  unsupported: Partial<Record<RuntimeName, { missing: string; instead: string }>>,
): void {
  const runtime = detectRuntime();
  const reason = unsupported[runtime];
  if (!reason) return;
  throw new SessionStoreError(
    "ERR_STORE_UNAVAILABLE",
    `${store} cannot run in ${runtimeLabel(runtime)}: ${reason.missing}. Use ${reason.instead}`,
  );
}
