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
export type { DebugLogger, MeterProviderLike, ObservabilityOptions, TracerProviderLike } from "./observability.js";
export { codeChallengeS256, createCodeVerifier, createState } from "./pkce.js";
export {
  type AppGrant,
  defaultShouldRefresh,
  definePlatformProfile,
  isPlatformProfile,
  type PlatformProfile,
  type PlatformProfileInit,
  type ShouldRefresh,
} from "./platform.js";
export { PODIO_API_URL, PODIO_AUTHORIZE_URL, type PodioOptions, podio, podioShouldRefresh } from "./profiles/podio.js";
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
