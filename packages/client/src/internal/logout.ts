import { isPlatformApiError, type PlatformApiError } from "../errors.js";
import type { LogoutResult, PlatformClientEvents } from "../types.js";
import type { SessionSlot } from "./session-slot.js";
import { revokeToken, type TokenEndpointConfig } from "./token-endpoint.js";

/**
 * Ends the session under the store lock (so no refresh elsewhere writes a new
 * pair behind it): revokes at `revokeURL` when given, refresh token first
 * (RFC 7009 §2.1: that ends the grant), then deletes, whatever the server said.
 */
export async function logoutSession(
  slot: SessionSlot,
  token: TokenEndpointConfig,
  revokeURL: string | undefined,
  lock: { ttlMs: number; waitMs: number },
  emit: (event: "logout", payload: PlatformClientEvents["logout"]) => void,
): Promise<LogoutResult> {
  const release = await slot.manager.lock(slot.authType, lock);
  try {
    // A store that cannot be read still gets the delete; the copy in memory is revoked instead.
    const auth = (await slot.read().catch(() => undefined)) ?? slot.current;
    let revoked = false;
    let revokeError: PlatformApiError | undefined;
    if (revokeURL !== undefined && auth) {
      try {
        if (auth.refreshToken !== undefined) await revokeToken(token, revokeURL, auth.refreshToken, "refresh_token");
        await revokeToken(token, revokeURL, auth.accessToken, "access_token");
        revoked = true;
      } catch (error) {
        if (!isPlatformApiError(error)) throw error;
        revokeError = error;
      }
    }
    await slot.clear(release);
    emit("logout", { reason: "logout", revoked });
    return revokeError ? { revoked, revokeError } : { revoked };
  } finally {
    await release();
  }
}
