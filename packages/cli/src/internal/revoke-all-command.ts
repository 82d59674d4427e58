import { type RevokeAllProgress, type RevokeAllSummary, revokeAll } from "@sessionstore/core";
import { EXIT_CODES } from "../exit-codes.js";
import { CliError, usageError } from "./cli-error.js";
import type { CommandContext } from "./commands.js";

const BAR_WIDTH = 30;
// Redraws at most this often: a terminal over SSH must not be flooded.
const REDRAW_MS = 100;

/** A one-line progress bar on a terminal's stderr, redrawn in place. */
function progressBar(write: (text: string) => void) {
  let last = 0;
  let failed = 0;
  let drawn = false;
  return {
    update(progress: RevokeAllProgress) {
      if (!progress.ok) failed += 1;
      const now = Date.now();
      if (progress.done < progress.total && now - last < REDRAW_MS) return;
      last = now;
      const filled = Math.round((progress.done / Math.max(1, progress.total)) * BAR_WIDTH);
      const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
      write(`\r[${bar}] ${progress.done}/${progress.total} revoked${failed > 0 ? `, ${failed} failed` : ""}`);
      drawn = true;
    },
    end() {
      if (drawn) write("\n");
    },
  };
}

function summaryJson(context: CommandContext, summary: RevokeAllSummary) {
  return {
    namespace: context.manager.namespace,
    store: context.storeDisplay,
    total: summary.total,
    revoked: summary.revoked,
    deleted: summary.deleted,
    failed: summary.failed.map(({ key, error }) => ({ key, code: error.code, message: error.message })),
  };
}

/**
 * `revoke-all`: revokes every session of the namespace at the platform and
 * deletes it (core's `revokeAll`). Exits 6 when some could not be
 * revoked; they stay in the store and are listed.
 */
export async function revokeAllCommand(context: CommandContext): Promise<void> {
  const { manager, options, out } = context;
  const revoke = options.revoke;
  if (!revoke) throw usageError("--revoke-url is required", "revoke-all");
  const bar = context.errIsTTY && !options.json ? progressBar(context.err) : undefined;
  let summary: RevokeAllSummary;
  try {
    summary = await revokeAll(manager, {
      revokeURL: revoke.revokeURL,
      clientId: revoke.clientId,
      ...(revoke.clientSecret === undefined ? {} : { clientSecret: revoke.clientSecret }),
      clientAuthMethod: revoke.clientAuthMethod,
      concurrency: revoke.concurrency,
      ...(bar ? { onProgress: (progress: RevokeAllProgress) => bar.update(progress) } : {}),
    });
  } finally {
    bar?.end();
  }
  if (options.json) {
    out(`${JSON.stringify(summaryJson(context, summary), null, 2)}\n`);
  } else {
    const where = `namespace "${manager.namespace}" (${context.storeDisplay})`;
    out(`Revoked ${summary.revoked} of ${summary.total} sessions in ${where}; deleted ${summary.deleted}.\n`);
    for (const { key, error } of summary.failed) out(`  not revoked: ${key}: ${error.message}\n`);
  }
  if (summary.failed.length > 0) {
    throw new CliError(
      "ERR_REVOKE_FAILED",
      `${summary.failed.length} of ${summary.total} sessions could not be revoked; they are still in the store (run again to retry)`,
      EXIT_CODES.REVOKE_FAILED,
    );
  }
}
