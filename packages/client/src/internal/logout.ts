import type { AuthObject } from "@sessionstore/core";
import { isPlatformApiError, type PlatformApiError } from "../errors.js";
import type { LogoutResult, PlatformClientEvents } from "../types.js";
import { keepLease } from "./lease-keeper.js";
import type { SessionSlot } from "./session-slot.js";
import { NO_TELEMETRY } from "./telemetry.js";
import { revokeToken, type TokenEndpointConfig } from "./token-endpoint.js";

/**
 * Revokes a pair at `revokeURL`, refresh token first (RFC 7009 §2.1: that ends the grant).
 * @throws `PlatformApiError` when the server refuses or cannot be reached.
 */
export function revokePair(token: TokenEndpointConfig, revokeURL: string, auth: AuthObject): Promise<void> {
  const tokens = auth.refreshToken === undefined ? 1 : 2;
  return (token.telemetry ?? NO_TELEMETRY).span(
    "sessionstore.revoke",
    { "sessionstore.revoke.tokens": tokens },
    async () => {
      if (auth.refreshToken !== undefined) await revokeToken(token, revokeURL, auth.refreshToken, "refresh_token");
      await revokeToken(token, revokeURL, auth.accessToken, "access_token");
    },
  );
}

/** A revoker for pairs the client gives up, or `undefined` when there is no `revokeURL`. */
export function revokerFor(
  token: TokenEndpointConfig,
  revokeURL: string | undefined,
): ((auth: AuthObject) => Promise<boolean>) | undefined {
  if (revokeURL === undefined) return undefined;
  return async (auth) => {
    await revokePair(token, revokeURL, auth);
    return true;
  };
}

/**
 * Ends the session under the store lock (so no refresh elsewhere writes a new
 * pair behind it): revokes at `revokeURL` when given, refresh token first
 * (RFC 7009 §2.1: that ends the grant), then deletes, whatever the server said.
 */
export function logoutSession(
  slot: SessionSlot,
  token: TokenEndpointConfig,
  revokeURL: string | undefined,
  lock: { ttlMs: number; waitMs: number },
  emit: (event: "logout", payload: PlatformClientEvents["logout"]) => void,
): Promise<LogoutResult> {
  return (token.telemetry ?? NO_TELEMETRY).span("sessionstore.logout", {}, async (span) => {
    const release = await slot.lock(lock);
    // Renewed while the revocation calls run: a refresh elsewhere must not write a pair behind the delete.
    const lease = keepLease(release, lock.ttlMs);
    try {
      // A store that cannot be read still gets the delete; the copy in memory is revoked instead.
      const auth = (await slot.read().catch(() => undefined)) ?? slot.current;
      let revoked = false;
      let revokeError: PlatformApiError | undefined;
      if (revokeURL !== undefined && auth) {
        try {
          await revokePair(token, revokeURL, auth);
          revoked = true;
        } catch (error) {
          if (!isPlatformApiError(error)) throw error;
          revokeError = error;
        }
      }
      await slot.clear(release);
      emit("logout", { reason: "logout", revoked });
      span?.setAttribute("sessionstore.revoked", revoked);
      return revokeError ? { revoked, revokeError } : { revoked };
    } finally {
      lease.stop();
      // Best effort once the delete landed: the lease frees a lock whose release failed.
      await release().catch(() => undefined);
    }
  });
}
