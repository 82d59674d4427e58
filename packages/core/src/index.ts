export type { RecordEnvelope } from "./adapter-kit.js";
export {
  assertLockOptions,
  assertStoreKey,
  decodeEnvelope,
  encodeEnvelope,
  isExpired,
  lockTimeoutError,
  MAX_KEY_LENGTH,
  parseRecord,
  randomLockToken,
  readExpiresAt,
  serializeRecord,
  sleep,
  storeClosedError,
} from "./adapter-kit.js";
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
export type { Listener } from "./internal/emitter.js";
export { Emitter } from "./internal/emitter.js";
export type { KeyedMutex } from "./internal/keyed-mutex.js";
export { createKeyedMutex } from "./internal/keyed-mutex.js";
export type { SingleFlight } from "./internal/single-flight.js";
export { createSingleFlight } from "./internal/single-flight.js";
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
export { decodeSession, encodeSession, RECORD_VERSION, recordExpiry } from "./session-record.js";
export type {
  ListingStore,
  LockingStore,
  LockOptions,
  ReleaseLock,
  SessionStore,
  SetOptions,
  StoreCapabilities,
  StoreChangeListener,
} from "./store.js";
export { canList, canLock, isSessionStore } from "./store.js";
export type { AuthObject, AuthType, Awaitable, JsonObject, JsonValue } from "./types.js";
export { AUTH_TYPES, isAuthType } from "./types.js";
