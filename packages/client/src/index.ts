export { buildAuthorizationURL, parseRedirect, type RedirectResult } from "./auth-flows.js";
export { PlatformClient } from "./client.js";
export {
  isPlatformApiError,
  PLATFORM_ERROR_CODES,
  PlatformApiError,
  type PlatformApiErrorOptions,
  type PlatformErrorCode,
} from "./errors.js";
export { configFingerprint, type FingerprintInput, fingerprintMatches } from "./fingerprint.js";
export { codeChallengeS256, createCodeVerifier, createState } from "./pkce.js";
export type {
  AuthorizationURLOptions,
  ClientAuthMethod,
  LogoutResult,
  PlatformAuthOptions,
  PlatformClientEvents,
  PlatformClientOptions,
  RedirectOptions,
  RefreshInfo,
  RequestOptions,
  SessionSummary,
} from "./types.js";
