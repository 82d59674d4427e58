import { sleep } from "./adapter/helpers.js";
import { invalidOption } from "./adapter/option-checks.js";
import { isSessionStoreError, type SessionStoreError, toStoreError } from "./errors.js";
import { type RevokeClient, revokeOne } from "./internal/revoke-request.js";
import type { SessionInfo, SessionManager } from "./session-manager-types.js";
import type { AuthObject } from "./types.js";

/** Options for {@link revokeAll}: the platform's revocation endpoint and this client's credentials. */
export interface RevokeAllOptions {
  /** The RFC 7009 revocation endpoint, an absolute http(s) URL. */
  revokeURL: string;
  /** The OAuth client id the sessions were issued to. */
  clientId: string;
  /** The client secret, for a confidential client. Sent to `revokeURL` only; never in a message. */
  clientSecret?: string;
  /** How the client authenticates ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)). @default "client_secret_post" */
  clientAuthMethod?: "client_secret_post" | "client_secret_basic";
  /** Revocations in flight at once. @default 8 */
  concurrency?: number;
  /** Further tries of a revocation answered 5xx or 429, or lost to the network or a timeout. @default 3 */
  retries?: number;
  /** Wait before the first retry, doubled for each next one (with jitter), in milliseconds. @default 250 */
  retryDelayMs?: number;
  /** Timeout of one revocation request, in milliseconds. @default 15000 */
  timeoutMs?: number;
  /** `fetch` implementation. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Called after each session is settled (revoked and deleted, or failed). */
  onProgress?: (progress: RevokeAllProgress) => void;
}

/** Where {@link revokeAll} stands. */
export interface RevokeAllProgress {
  /** Sessions settled so far. */
  readonly done: number;
  /** Sessions found in the namespace when it started. */
  readonly total: number;
  /** The session just settled. */
  readonly key: string;
  /** Whether it was revoked. */
  readonly ok: boolean;
}

/** A session {@link revokeAll} could not revoke (or delete): it stays in the store. */
export interface RevokeAllFailure {
  readonly key: string;
  /** `ERR_REVOKE_FAILED` (the platform refused or kept failing), or a store error for an unreadable record. */
  readonly error: SessionStoreError;
}

/** What {@link revokeAll} did. */
export interface RevokeAllSummary {
  /** Sessions found in the namespace. */
  readonly total: number;
  /** Sessions whose token the platform confirmed revoked. */
  readonly revoked: number;
  /** Sessions deleted from the store (after their revocation). */
  readonly deleted: number;
  /** Sessions left in the store, with why. */
  readonly failed: RevokeAllFailure[];
}

function invalid(field: string, message: string): SessionStoreError {
  return invalidOption(`options.${field}`, message);
}

function count(
  options: RevokeAllOptions,
  field: "concurrency" | "retries" | "retryDelayMs" | "timeoutMs",
  fallback: number,
  min: number,
): number {
  const value = options[field];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min)
    throw invalid(field, `must be a finite number >= ${min}`);
  return value;
}

function checkOptions(options: RevokeAllOptions) {
  if (typeof options !== "object" || options === null) {
    throw invalidOption("options", "must be an object with revokeURL and clientId");
  }
  const { revokeURL, clientId, clientSecret } = options;
  if (typeof revokeURL !== "string" || !URL.canParse(revokeURL) || !/^https?:$/.test(new URL(revokeURL).protocol)) {
    throw invalid("revokeURL", "must be an absolute http(s) URL");
  }
  if (typeof clientId !== "string" || clientId === "") throw invalid("clientId", "must be a non-empty string");
  if (clientSecret !== undefined && typeof clientSecret !== "string") throw invalid("clientSecret", "must be a string");
  const method = options.clientAuthMethod ?? "client_secret_post";
  if (method !== "client_secret_post" && method !== "client_secret_basic") {
    throw invalid("clientAuthMethod", "must be 'client_secret_post' or 'client_secret_basic'");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw invalid("fetch", "is required: this runtime has no global fetch");
  if (options.onProgress !== undefined && typeof options.onProgress !== "function")
    throw invalid("onProgress", "must be a function");
  const client: RevokeClient = {
    revokeURL,
    clientId,
    clientSecret,
    clientAuthMethod: method,
    // Unbound, a browser's fetch throws "Illegal invocation".
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: count(options, "timeoutMs", 15_000, 1),
  };
  return {
    client,
    concurrency: Math.floor(count(options, "concurrency", 8, 1)),
    retries: Math.floor(count(options, "retries", 3, 0)),
    retryDelayMs: count(options, "retryDelayMs", 250, 0),
    onProgress: options.onProgress,
  };
}

type Settled = { ok: true; deleted: boolean } | { ok: false; error: SessionStoreError } | { ok: "gone" };

/**
 * "Revoke for all users": revokes every session of `manager`'s namespace (all
 * subjects) at the platform's RFC 7009 endpoint — the refresh token, which
 * ends the grant, or the access token when there is none — with bounded
 * concurrency and retries on 5xx, 429 and network errors, then deletes each
 * revoked session through the manager (so every instance watching the store
 * drops it). A session the platform did not confirm stays in the store and is
 * listed in `failed`. Needs `capabilities.list`. Uses `fetch` only: runs in
 * browsers too. A function rather than a manager method so that apps which
 * never revoke do not ship it.
 *
 * @example
 * ```ts
 * const summary = await revokeAll(manager, { revokeURL, clientId, clientSecret });
 * // { total, revoked, deleted, failed: [{ key, error }] }
 * ```
 * @throws `ERR_INVALID_ARGUMENT` for bad options (nothing is sent); `ERR_UNSUPPORTED` when the store cannot list.
 */
export async function revokeAll(manager: SessionManager, options: RevokeAllOptions): Promise<RevokeAllSummary> {
  const { client, concurrency, retries, retryDelayMs, onProgress } = checkOptions(options);
  const sessions = await manager.list();
  const failed: RevokeAllFailure[] = [];
  let revoked = 0;
  let deleted = 0;
  let done = 0;

  const revokeWithRetries = async (token: string, hint: "refresh_token" | "access_token") => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await revokeOne(client, token, hint);
      if (outcome.kind === "revoked") return undefined;
      if (outcome.kind === "refused" || attempt >= retries) return outcome.error;
      await sleep(retryDelayMs * 2 ** attempt * (0.5 + Math.random()));
    }
  };

  const settle = async (info: SessionInfo): Promise<Settled> => {
    const scoped = manager.forSubject(info.subject);
    let auth: AuthObject | undefined;
    try {
      auth = await scoped.get(info.authType);
    } catch (error) {
      return { ok: false, error: toStoreError(error, "get") };
    }
    if (!auth) return { ok: "gone" }; // deleted meanwhile: nothing left to revoke
    const error =
      auth.refreshToken === undefined
        ? await revokeWithRetries(auth.accessToken, "access_token")
        : await revokeWithRetries(auth.refreshToken, "refresh_token");
    if (error) return { ok: false, error };
    revoked += 1;
    try {
      return { ok: true, deleted: await scoped.delete(info.authType) };
    } catch (deleteError) {
      return { ok: false, error: isSessionStoreError(deleteError) ? deleteError : toStoreError(deleteError, "delete") };
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < sessions.length) {
      const info = sessions[next++] as SessionInfo;
      const outcome = await settle(info);
      if (outcome.ok === true && outcome.deleted) deleted += 1;
      if (outcome.ok === false) failed.push({ key: info.key, error: outcome.error });
      done += 1;
      onProgress?.({ done, total: sessions.length, key: info.key, ok: outcome.ok !== false });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sessions.length) }, worker));
  return { total: sessions.length, revoked, deleted, failed };
}
