/**
 * `SessionManager.revokeAll` on Node, Bun, Deno and Workers: core's
 * `revokeAll`. The browser build takes `revoke-all-entry.browser.ts` instead
 * (package.json `imports`), so browser apps do not ship an admin operation
 * they cannot use.
 */
export { revokeAll as revokeAllSessions } from "../revoke-all.js";
