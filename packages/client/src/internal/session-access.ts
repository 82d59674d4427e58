import type { AuthObject } from "@sessionstore/core";
import { PlatformApiError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import { type Sent, send } from "./http.js";
import { isDue, type RefreshDeps, refreshEarly, refreshSession } from "./refresh.js";
import { wantsRefresh, withToken } from "./request.js";
import type { SessionSlot } from "./session-slot.js";

/** What {@link SessionAccess} needs of its client. */
export interface SessionAccessDeps {
  readonly slot: SessionSlot;
  readonly options: ResolvedOptions;
  readonly refresh: RefreshDeps;
  /** Waits for the session to be restored from the store (retrying a failed restore). */
  readonly ensureLoaded: () => Promise<void>;
  /** Whether a restore has succeeded (so the in-memory session is the restored one). */
  readonly loaded: () => boolean;
}

/**
 * How a request gets its token: the cached session when nothing is to be done,
 * else restored, persisted and refreshed early when due; and after a 401 the
 * platform's rule decides on one refresh and one retry.
 */
export class SessionAccess {
  readonly #deps: SessionAccessDeps;
  // One jitter per access token, so every request on a token agrees on when it is due.
  #jitter = { accessToken: "", ms: 0 };

  constructor(deps: SessionAccessDeps) {
    this.#deps = deps;
  }

  /** Sends `init` to `url` with the session's token; a 401 the platform's rule accepts refreshes once and retries once. */
  async authorized(url: string, init: RequestInit, signal: AbortSignal | undefined, readBody: boolean): Promise<Sent> {
    const { options: settings, refresh } = this.#deps;
    const options = { timeoutMs: settings.timeoutMs, signal, readBody };
    const { fetch: fetchImpl, authScheme } = settings;
    const auth = this.#readyAuth() ?? (await this.#usableAuth());
    const first = await send(fetchImpl, url, withToken(init, authScheme, auth.accessToken), options);
    if (first.response.status !== 401 || !(await wantsRefresh(first, init.body, settings))) return first;
    if (!readBody) await first.response.body?.cancel();
    const fresh = await refreshSession(refresh, auth, "unauthorized");
    return send(fetchImpl, url, withToken(init, authScheme, fresh.accessToken), options);
  }

  #jitterFor(auth: AuthObject): number {
    if (this.#jitter.accessToken !== auth.accessToken) {
      this.#jitter = { accessToken: auth.accessToken, ms: Math.random() * this.#deps.options.refreshJitterMs };
    }
    return this.#jitter.ms;
  }

  #isDue(auth: AuthObject): boolean {
    const { now, refreshMarginMs } = this.#deps.options;
    return isDue(auth, now(), refreshMarginMs, this.#jitterFor(auth));
  }

  /**
   * The session when nothing is to be done first: restored, nothing unsaved,
   * not due for refresh. What {@link #usableAuth} would return after awaiting
   * steps that all have nothing to do, without their promises and hops.
   */
  #readyAuth(): AuthObject | undefined {
    const { slot, loaded } = this.#deps;
    const auth = slot.current;
    if (!loaded() || auth === undefined || slot.unsaved) return undefined;
    return this.#isDue(auth) ? undefined : auth;
  }

  /** The session to send now: restored, persisted, and refreshed early when due. */
  async #usableAuth(): Promise<AuthObject> {
    const { slot, ensureLoaded, refresh } = this.#deps;
    await ensureLoaded();
    await slot.flushIfReachable();
    // Another process or tab may have signed in since we restored.
    slot.current ??= await slot.read();
    const auth = slot.current;
    if (!auth) throw new PlatformApiError("ERR_NOT_AUTHENTICATED", "no session: authenticate first");
    if (!this.#isDue(auth)) return auth;
    return refreshEarly(refresh, auth);
  }
}
