// 0.1.x compatibility: these moved to "@sessionstore/core/adapter" and are re-exported here until 0.2.
/** @deprecated import it from `@sessionstore/core/adapter`. */
export type RecordEnvelope = import("./adapter/envelope.js").RecordEnvelope;
export {
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  decodeEnvelope,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  encodeEnvelope,
} from "./adapter/envelope.js";
export {
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  assertLockOptions,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  assertStoreKey,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  isExpired,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  lockTimeoutError,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  MAX_KEY_LENGTH,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  randomLockToken,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  readExpiresAt,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  sleep,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  storeClosedError,
} from "./adapter/helpers.js";
export type { EncryptionOptions, KeyMaterial, KeySource } from "./encryption.js";
export { generateEncryptionKey, keyFromEnv, withEncryption } from "./encryption.js";
export type { MaskOptions, SecretSource, SessionStoreErrorCode, SessionStoreErrorOptions } from "./errors.js";
export {
  ERROR_CODES,
  isSessionStoreError,
  maskSecrets,
  redactTokens,
  SessionStoreError,
  toStoreError,
} from "./errors.js";
export {
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  parseRecord,
  /** @deprecated import it from `@sessionstore/core/adapter`. */
  serializeRecord,
} from "./internal/json.js";
export type { SessionKeyParts } from "./keys.js";
export {
  assertAuthType,
  assertNamespace,
  assertSubject,
  DEFAULT_NAMESPACE,
  DEFAULT_SUBJECT,
  namespacePrefix,
  parseSessionKey,
  sessionKey,
} from "./keys.js";
export type { LegacySessionStore, LegacyStoreOptions } from "./legacy-store.js";
export { fromLegacyStore, isLegacySessionStore } from "./legacy-store.js";
export type { MemoryStore, MemoryStoreOptions } from "./memory-store.js";
export { createMemoryStore } from "./memory-store.js";
export type { NormalizeOptions } from "./normalize.js";
export { isEmptyAuthObject, MAX_TOKEN_LENGTH, normalizeAuthObject } from "./normalize.js";
export type { RevokeAllFailure, RevokeAllOptions, RevokeAllProgress, RevokeAllSummary } from "./revoke-all.js";
export { revokeAll } from "./revoke-all.js";
export type { RuntimeName } from "./runtime.js";
export { assertRuntimeSupports, detectRuntime, runtimeLabel } from "./runtime.js";
export type { ListPagesOptions } from "./session-listing.js";
export { DEFAULT_LIST_PAGE_SIZE } from "./session-listing.js";
export { createSessionManager, isSessionManager } from "./session-manager.js";
export type {
  ClearOptions,
  DeleteOptions,
  GetCallback,
  SessionInfo,
  SessionManager,
  SessionManagerEvents,
  SessionManagerOptions,
  SetCallback,
  WriteOptions,
} from "./session-manager-types.js";
export type { StoredSession } from "./session-record.js";
export { decodeSession, encodeSession, recordExpiry } from "./session-record.js";
export type {
  KeyPage,
  ListingStore,
  ListPageOptions,
  LockingStore,
  LockOptions,
  PageListingStore,
  ReleaseLock,
  SessionStore,
  SetOptions,
  StoreCapabilities,
  StoreChangeListener,
} from "./store.js";
export { canList, canListPages, canLock, isSessionStore } from "./store.js";
export type { AuthObject, AuthType, Awaitable, JsonObject, JsonValue } from "./types.js";
export { AUTH_TYPES, isAuthType } from "./types.js";
