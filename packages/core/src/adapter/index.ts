/**
 * `@sessionstore/core/adapter`: the kit for writing a store. `defineStore`
 * wraps a backend's calls in every rule of the store contract; `pollLease` is
 * the lock wait loop; the envelope carries a record with its expiry; the
 * helpers check keys, expiry and lock options the one way every store does.
 * Also the small concurrency tools the packages of this project share.
 */

export type { Listener } from "../internal/emitter.js";
export { Emitter } from "../internal/emitter.js";
export { parseRecord, serializeRecord } from "../internal/json.js";
export type { KeyedMutex } from "../internal/keyed-mutex.js";
export { createKeyedMutex } from "../internal/keyed-mutex.js";
export type { SingleFlight } from "../internal/single-flight.js";
export { createSingleFlight } from "../internal/single-flight.js";
export { RECORD_VERSION } from "../session-record.js";
export { defineStore } from "./define-store.js";
export type { RecordEnvelope } from "./envelope.js";
export { decodeEnvelope, encodeEnvelope } from "./envelope.js";
export {
  assertListPageOptions,
  assertLockOptions,
  assertStoreKey,
  invalidCursorError,
  isExpired,
  lockTimeoutError,
  MAX_KEY_LENGTH,
  prefixUpperBound,
  randomLockToken,
  readExpiresAt,
  sleep,
  storeClosedError,
} from "./helpers.js";
export type { BoundedCallerOptions } from "./network.js";
export { bestEffortOnceClosed, boundedCaller, onceUntilFailure, withDeadline, withoutFields } from "./network.js";
export type { NoticeWatch } from "./notice-watch.js";
export { createNoticeWatch } from "./notice-watch.js";
export type { ServerStoreSettings, UrlOrPool } from "./option-checks.js";
export { invalidOption, positiveMs, serverStoreSettings, urlOrPool } from "./option-checks.js";
export type { PollLeaseOptions } from "./poll-lease.js";
export { pollLease } from "./poll-lease.js";
export type { SnapshotWatch } from "./snapshot-watch.js";
export { createSnapshotWatch } from "./snapshot-watch.js";
export type {
  BackendPage,
  DefinedStore,
  LeaseRequest,
  ListPageRequest,
  RecordCodec,
  StoreBackend,
  StoreDefinition,
  StoredEntry,
  StoreKit,
} from "./store-backend.js";
