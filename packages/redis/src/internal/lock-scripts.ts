import { createHash } from "node:crypto";

/** The commands the lock needs, as both a node-redis client and cluster expose them. */
export interface ScriptRunner {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A Lua script with its SHA1, run with EVALSHA and loaded with EVAL on a cache miss. */
export interface LockScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): LockScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

/**
 * Deletes the lock only if it still holds our token: GET and DEL in one script
 * are atomic, so a holder whose lease ran out can never free the lock of the
 * holder who took it over.
 */
export const RELEASE_SCRIPT = script(
  'if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end',
);

/** Renews the lease (PEXPIRE, ARGV[2] ms) only if the lock still holds our token. */
export const EXTEND_SCRIPT = script(
  'if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end',
);

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/**
 * Runs `lockScript` on `key` with EVALSHA, falling back to EVAL (which also
 * caches it) when this server or cluster node has not seen it yet.
 * @returns the script's integer reply.
 */
export async function runLockScript(
  runner: ScriptRunner,
  lockScript: LockScript,
  key: string,
  args: string[],
): Promise<number> {
  const options = { keys: [key], arguments: args };
  let reply: unknown;
  try {
    reply = await runner.evalSha(lockScript.sha1, options);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    reply = await runner.eval(lockScript.source, options);
  }
  return Number(reply);
}
