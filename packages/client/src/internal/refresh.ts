import { type AuthObject, isSessionStoreError, type ReleaseLock, SessionStoreError } from "@sessionstore/core";
import { isPlatformApiError, PlatformApiError } from "../errors.js";
import type { PlatformClientEvents, PlatformClientOptions, RefreshInfo } from "../types.js";
import { withKeptFields } from "./kept-fields.js";
import { keepLease, type LeaseKeeper } from "./lease-keeper.js";
import type { SessionSlot } from "./session-slot.js";
import { traceRefresh } from "./telemetry-flows.js";
import { requestToken, type TokenEndpointConfig } from "./token-endpoint.js";

/** Everything a refresh needs from its client. */
export interface RefreshDeps {
  readonly slot: SessionSlot;
  readonly token: TokenEndpointConfig;
  readonly now: () => number;
  readonly marginMs: number;
  readonly lock: { readonly ttlMs: number; readonly waitMs: number };
  readonly hooks: Pick<PlatformClientOptions, "onTokenWillRefresh" | "afterTokenRefreshed">;
  /** The grant that renews this session when it has no refresh token (client credentials), if any. */
  readonly renewal: Readonly<Record<string, string>> | undefined;
  /** Session fields a refresh answer may omit and that are then kept. */
  readonly keptOnRefresh: readonly string[];
  emit<K extends keyof PlatformClientEvents>(event: K, payload: PlatformClientEvents[K]): void;
  /** Told how long the refresh waited for the store's lock, ms (for its span). */
  lockWaited?(ms: number): void;
}

/** Whether two sessions are different pairs (someone refreshed in between). */
export function differs(a: AuthObject, b: AuthObject): boolean {
  return a.accessToken !== b.accessToken || a.refreshToken !== b.refreshToken;
}

/**
 * Whether `auth` should be refreshed now: within `marginMs` (plus `extraMs`
 * jitter) of its expiry, the margin capped at half the token's lifetime so a
 * short-lived token is not refreshed on every call.
 */
export function isDue(auth: AuthObject, now: number, marginMs: number, extraMs = 0): boolean {
  if (auth.expiresAt === undefined) return false;
  const lifetimeMs = auth.expiresIn === undefined ? Number.POSITIVE_INFINITY : auth.expiresIn * 1000;
  return now >= auth.expiresAt - Math.min(marginMs + extraMs, lifetimeMs / 2);
}

/**
 * Renews the session that `stale` was (docs/deploying.md, "The lock: one
 * refresh across every instance", says why across processes):
 * one refresh per key in this process; across processes under the store's
 * lock, re-reading first and adopting a pair someone else already wrote;
 * persisting the new pair before anyone uses it; clearing only on an
 * `invalid_grant` that a second re-read confirms.
 */
export function refreshSession(deps: RefreshDeps, stale: AuthObject, trigger: RefreshInfo["trigger"]) {
  const held = deps.slot.current;
  // Someone in this process already replaced the pair that failed or expired.
  if (held && differs(held, stale) && !isDue(held, deps.now(), 0)) return Promise.resolve(held);
  return deps.slot
    .once(() => traceRefresh(deps, trigger, (observed) => refreshLocked(observed, stale, trigger)))
    .then((auth) => {
      // Another client on this store may have run the flight: take its result too.
      if (deps.slot.current !== auth) deps.slot.current = auth;
      return auth;
    });
}

/**
 * An early refresh (within the margin, the token still valid): one that fails
 * for a passing reason — a transient server or network error, a lock wait, a
 * store that cannot be reached — returns the token in hand, which is still good.
 */
export async function refreshEarly(deps: RefreshDeps, auth: AuthObject): Promise<AuthObject> {
  try {
    return await refreshSession(deps, auth, "expiring");
  } catch (error) {
    const passing =
      (isPlatformApiError(error) && error.transient) ||
      isSessionStoreError(error, "ERR_LOCK_TIMEOUT") ||
      isSessionStoreError(error, "ERR_STORE_UNAVAILABLE");
    const stillValid = auth.expiresAt !== undefined && auth.expiresAt > deps.now();
    if (passing && stillValid && deps.slot.current === auth) return auth;
    throw error;
  }
}

async function takeLock(deps: RefreshDeps) {
  try {
    return await deps.slot.lock(deps.lock, deps.lockWaited);
  } catch (error) {
    deps.emit("refreshFailed", { reason: "transient", cleared: false, error: asError(error) });
    throw error;
  }
}

function asError(error: unknown): PlatformClientEvents["refreshFailed"]["error"] {
  return error as PlatformClientEvents["refreshFailed"]["error"];
}

/** Runs an app hook with the lease's renewal paused; throws when the lock was lost meanwhile. */
async function hookUnderLease(deps: RefreshDeps, lease: LeaseKeeper, hook: () => unknown): Promise<void> {
  lease.pause();
  await hook();
  if (await lease.resume()) return;
  const error = new SessionStoreError(
    "ERR_LOCK_TIMEOUT",
    `the refresh lock's lease ran out while onTokenWillRefresh ran (longer than lockTtlMs, ${deps.lock.ttlMs} ms) ` +
      "and another process may hold it now: the token endpoint was not called, the next call tries again",
  );
  deps.emit("refreshFailed", { reason: "transient", cleared: false, error: asError(error) });
  throw error;
}

async function refreshLocked(deps: RefreshDeps, stale: AuthObject, trigger: RefreshInfo["trigger"]) {
  const { slot } = deps;
  const release = await takeLock(deps);
  // Renewed while this refresh works, so a slow store or token endpoint cannot outlast it.
  const lease = keepLease(release, deps.lock.ttlMs);
  try {
    let stored: AuthObject | undefined;
    try {
      stored = await slot.read();
    } catch (error) {
      deps.emit("refreshFailed", { reason: "transient", cleared: false, error: asError(error) });
      throw error;
    }
    if (stored && differs(stored, stale) && !isDue(stored, deps.now(), trigger === "expiring" ? deps.marginMs : 0)) {
      // The store's watch may have adopted this pair already (and said so): one event per pair.
      const known = slot.current !== undefined && !differs(slot.current, stored);
      slot.current = stored;
      if (!known) deps.emit("refresh", { adopted: true, trigger, session: slot.summary(stored) });
      return stored;
    }
    // The store lost the session (logged out elsewhere, or it expired there): honour that,
    // except for client_credentials, which can always ask again.
    if (!stored && deps.renewal === undefined) {
      slot.current = undefined;
      throw new PlatformApiError(
        "ERR_NOT_AUTHENTICATED",
        "the session is no longer in the store (logged out elsewhere?)",
      );
    }
    const base = stored ?? stale;
    let grant: Record<string, string>;
    if (base.refreshToken !== undefined) grant = { grant_type: "refresh_token", refresh_token: base.refreshToken };
    else if (deps.renewal !== undefined) grant = { ...deps.renewal };
    else {
      const error = new PlatformApiError(
        "ERR_SESSION_EXPIRED",
        "the access token expired and there is no refresh token: sign in again",
      );
      deps.emit("refreshFailed", { reason: "terminal", cleared: false, error });
      throw error;
    }

    const { onTokenWillRefresh } = deps.hooks;
    if (onTokenWillRefresh) {
      await hookUnderLease(deps, lease, () => onTokenWillRefresh({ authType: slot.authType, trigger }));
    }
    let response: Awaited<ReturnType<typeof requestToken>>;
    try {
      response = await requestToken(deps.token, grant);
    } catch (error) {
      if (isPlatformApiError(error, "ERR_TOKEN_REQUEST") && error.oauthError === "invalid_grant") {
        return await onInvalidGrant(deps, base, error, trigger, release);
      }
      const reason = isPlatformApiError(error) && error.transient ? "transient" : "terminal";
      deps.emit("refreshFailed", { reason, cleared: false, error: asError(error) });
      throw error;
    }
    let saved: AuthObject;
    try {
      saved = await slot.save(withKeptFields(response, base, deps.keptOnRefresh), {
        previousRefreshToken: base.refreshToken,
        replacing: stored,
      });
    } catch (error) {
      deps.emit("refreshFailed", { reason: "transient", cleared: false, error: asError(error) });
      throw error;
    }
    deps.emit("refresh", { adopted: false, trigger, session: slot.summary(saved) });
    // The pair is stored: nothing left that a second holder could spoil, and a hook is the app's time.
    lease.stop();
    await deps.hooks.afterTokenRefreshed?.(saved);
    return saved;
  } finally {
    lease.stop();
    // Best effort: once the pair is written (or the attempt failed for its own
    // reason) a release that fails must not fail the request; the lease frees the lock.
    await release().catch(() => undefined);
  }
}

async function onInvalidGrant(
  deps: RefreshDeps,
  sent: AuthObject,
  refused: PlatformApiError,
  trigger: RefreshInfo["trigger"],
  heldLock: ReleaseLock,
): Promise<AuthObject> {
  const { slot } = deps;
  // A store without a cross-process lock can still have been refreshed by someone else meanwhile.
  const again = await slot.read();
  if (again && differs(again, sent)) {
    slot.current = again;
    deps.emit("refresh", { adopted: true, trigger, session: slot.summary(again) });
    return again;
  }
  await slot.clear(heldLock);
  const expired = new PlatformApiError(
    "ERR_SESSION_EXPIRED",
    "the refresh token was refused (invalid_grant); the session was cleared: sign in again",
    {
      cause: refused,
      oauthError: "invalid_grant",
      ...(refused.status === undefined ? {} : { status: refused.status }),
      ...(refused.request === undefined ? {} : { request: refused.request }),
      body: refused.body,
    },
  );
  deps.emit("refreshFailed", { reason: "terminal", cleared: true, error: expired });
  deps.emit("logout", { reason: "invalid_grant", revoked: false });
  throw expired;
}
