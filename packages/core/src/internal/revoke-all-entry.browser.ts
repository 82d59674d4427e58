import { SessionStoreError } from "../errors.js";

/**
 * `SessionManager.revokeAll` in the browser build: revoking every user's
 * session is a server's job (a browser's localStorage holds only its own
 * sessions: end those with the client's `logout()`).
 */
export function revokeAllSessions(): Promise<never> {
  return Promise.reject(
    new SessionStoreError("ERR_UNSUPPORTED", "revokeAll runs on servers; in a browser, end a session with logout()"),
  );
}
