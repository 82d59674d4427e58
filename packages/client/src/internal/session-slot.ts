import {
  type AuthObject,
  type AuthType,
  createMemoryStore,
  createSessionManager,
  fromLegacyStore,
  isLegacySessionStore,
  isSessionManager,
  isSessionStore,
  isSessionStoreError,
  type LockOptions,
  normalizeAuthObject,
  type ReleaseLock,
  type SessionManager,
  type SessionStore,
} from "@sessionstore/core";
import { createSingleFlight, type SingleFlight } from "@sessionstore/core/adapter";
import { invalidArgument } from "../errors.js";
import { fingerprintMatches } from "../fingerprint.js";
import type { PlatformClientOptions, SessionSummary } from "../types.js";
import { keepLease } from "./lease-keeper.js";
import { NO_TELEMETRY, type Telemetry } from "./telemetry.js";

// Clients sharing a store object in this process share their single flights (refreshes) too.
const flightsByStore = new WeakMap<SessionStore, SingleFlight>();

/** Turns whatever the user passed as `sessionStore` into a manager for the right subject. */
export function resolveManager(options: PlatformClientOptions, now: () => number): SessionManager {
  const given: unknown = options.sessionStore;
  let manager: SessionManager;
  if (given === undefined) manager = createSessionManager(createMemoryStore({ now }), { now });
  else if (isSessionManager(given)) manager = given;
  else if (isSessionStore(given)) manager = createSessionManager(given, { now });
  else if (isLegacySessionStore(given)) manager = createSessionManager(fromLegacyStore(given, { now }), { now });
  else {
    throw invalidArgument(
      "options.sessionStore",
      "must be a SessionManager, a SessionStore or a podio-style { get(authType, cb), set(auth, authType, cb) } store",
    );
  }
  return options.subject === undefined ? manager : manager.forSubject(options.subject);
}

/** How a deferred write (see {@link SessionSlot.flush}) behaves. */
export interface DeferredWritePolicy {
  /** The store lock it takes. */
  readonly lock: LockOptions;
  /** Revokes a pair it gives up (at `revokeURL`); resolves whether the server confirmed. */
  readonly revoke?: ((auth: AuthObject) => Promise<boolean>) | undefined;
  /** Called when it gave up its pair because the store changed (a logout elsewhere). */
  readonly yielded?: (revoked: boolean) => void;
  /** Where the slot's store operations are traced, measured and logged. @default none */
  readonly telemetry?: Telemetry;
}

/** Options for {@link SessionSlot.save}. */
export interface SaveOptions {
  /** Kept when the response carries no refresh token. */
  readonly previousRefreshToken?: string | undefined;
  /** The stored pair this one replaces (read under the lock); a deferred write only lands over it. */
  readonly replacing?: AuthObject | undefined;
}

function samePair(a: AuthObject | undefined, b: AuthObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

/**
 * One session slot (manager + auth type + config fingerprint) and the copy
 * held in memory. Reads ignore a record written under another fingerprint;
 * writes always carry ours.
 */
export class SessionSlot {
  readonly manager: SessionManager;
  readonly authType: AuthType;
  readonly fingerprint: string;
  readonly #now: () => number;
  readonly #deferred: DeferredWritePolicy;
  readonly #telemetry: Telemetry;
  #memory: AuthObject | undefined;
  /** A refreshed pair that could not be persisted yet: it is the only valid one, keep trying. */
  #unsaved = false;
  /** What the store held when the unsaved pair was made: the deferred write lands only over that. */
  #replaced: AuthObject | undefined;
  #flushing: Promise<void> | undefined;
  // Pairs being written by this slot: a re-read can find one before its write settles and `current` takes it.
  readonly #saving = new Set<AuthObject>();
  /**
   * Settles (never rejects) once the client's restore of the session has: a
   * change reported before then is followed after it, not against a slot that
   * holds nothing yet.
   */
  restored: Promise<unknown> = Promise.resolve();

  constructor(
    manager: SessionManager,
    authType: AuthType,
    fingerprint: string,
    now: () => number,
    deferred: DeferredWritePolicy = { lock: { ttlMs: 30_000, waitMs: 35_000 } },
  ) {
    this.manager = manager;
    this.authType = authType;
    this.fingerprint = fingerprint;
    this.#now = now;
    this.#deferred = deferred;
    this.#telemetry = deferred.telemetry ?? NO_TELEMETRY;
  }

  get current(): AuthObject | undefined {
    return this.#memory;
  }

  set current(auth: AuthObject | undefined) {
    this.#memory = auth;
    this.#unsaved = false;
  }

  /** Whether `auth` holds the tokens of a pair this slot is writing now (a re-read finding it sees this client's own write). */
  isSaving(auth: AuthObject): boolean {
    for (const pair of this.#saving) if (samePair(pair, auth)) return true;
    return false;
  }

  /** Whether the pair held in memory still waits to be persisted (it must not be dropped). */
  get unsaved(): boolean {
    return this.#unsaved;
  }

  /** The store key, used to share single-flight refreshes between clients of one store. */
  get key(): string {
    return `${this.storeKey}|${this.fingerprint}`;
  }

  get store(): SessionStore {
    return this.manager.store;
  }

  /**
   * Runs `task` for this session at most once at a time across every client of
   * this process over the same store (and configuration): callers arriving
   * while it runs share its result and its failure.
   */
  once<T>(task: () => Promise<T>): Promise<T> {
    let flights = flightsByStore.get(this.store);
    if (!flights) {
      flights = createSingleFlight();
      flightsByStore.set(this.store, flights);
    }
    return flights.run(this.key, task);
  }

  /** The store when it reports changes made elsewhere (`capabilities.watch`), else `undefined`. */
  get watchableStore(): (SessionStore & Required<Pick<SessionStore, "watch">>) | undefined {
    const { store } = this;
    return store.capabilities.watch && typeof store.watch === "function"
      ? (store as SessionStore & Required<Pick<SessionStore, "watch">>)
      : undefined;
  }

  /** The store key of this session, as the store's change reports name it. */
  get storeKey(): string {
    return this.manager.keyFor(this.authType);
  }

  /**
   * Reads the store: the session, unless it was written under another
   * configuration (then `otherConfig` is set, for the restore to delete it).
   */
  async read(): Promise<AuthObject | undefined> {
    const stored = await this.#telemetry.storeOp("read", () => this.manager.read(this.authType));
    // Records without a fingerprint were written by podio-js or a legacy store: usable.
    this.otherConfig = stored !== undefined && !fingerprintMatches(stored.fingerprint, this.fingerprint);
    if (!stored || this.otherConfig) return undefined;
    return stored.auth;
  }

  /** The last {@link read} found a session written under another configuration. */
  otherConfig = false;

  /** Normalises a token response (keeping `previousRefreshToken` when none came back) and persists it. */
  async save(response: object, options: SaveOptions = {}): Promise<AuthObject> {
    const auth = normalizeAuthObject(response, this.#now());
    const { previousRefreshToken } = options;
    const complete: AuthObject =
      auth.refreshToken === undefined && previousRefreshToken !== undefined
        ? { ...auth, refreshToken: previousRefreshToken }
        : auth;
    const replacing = "replacing" in options ? options.replacing : this.#memory;
    this.#saving.add(complete);
    try {
      const stored = await this.#write(complete);
      this.current = stored.auth;
      return stored.auth;
    } catch (error) {
      // Rotation already happened server-side: losing this pair would end the session.
      if (!this.#unsaved) this.#replaced = replacing;
      this.#memory = complete;
      this.#unsaved = true;
      throw error;
    } finally {
      this.#saving.delete(complete);
    }
  }

  /**
   * Persists a pair whose earlier write failed, under the store lock and only
   * over the record it replaced. When the store changed meanwhile (a logout
   * elsewhere emptied it, or someone signed in anew) the store wins: the pair
   * is dropped, revoked when a revoke endpoint is configured, and the store's
   * session (or none) is held instead.
   */
  flush(): Promise<void> {
    if (!this.#unsaved || !this.#memory) return Promise.resolve();
    this.#flushing ??= this.#flushLocked().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushLocked(): Promise<void> {
    const release = await this.lock(this.#deferred.lock);
    const lease = keepLease(release, this.#deferred.lock.ttlMs);
    try {
      const held = this.#memory;
      if (!this.#unsaved || !held) return;
      const stored = await this.read();
      // A write reported as failed may still have landed (a timeout after the backend applied it).
      if (!samePair(stored, held)) {
        if (!samePair(stored, this.#replaced)) {
          await this.#yield(held, stored);
          return;
        }
        this.#saving.add(held);
        try {
          await this.#write(held);
          if (this.#memory === held) this.current = held;
        } finally {
          this.#saving.delete(held);
        }
        return;
      }
      if (this.#memory === held) this.current = held;
    } finally {
      lease.stop();
      // Best effort: the write (or the yield) is done, and the lease frees a lock whose release failed.
      await release().catch(() => undefined);
    }
  }

  async #yield(held: AuthObject, stored: AuthObject | undefined): Promise<void> {
    if (this.#memory === held) this.current = stored;
    // Nobody else has this pair: revoke it, or its refresh token would stay valid unseen.
    const revoked = (await this.#deferred.revoke?.(held).catch(() => false)) ?? false;
    this.#deferred.yielded?.(revoked);
  }

  /**
   * {@link flush}, except that a store still down (or its lock still held) is
   * not an error: the pair stays in memory, marked unsaved, and calls go on
   * with it (it is the only valid pair); the next call tries to write it again.
   */
  async flushIfReachable(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      const passing =
        isSessionStoreError(error, "ERR_STORE_UNAVAILABLE") || isSessionStoreError(error, "ERR_LOCK_TIMEOUT");
      if (!passing) throw error;
    }
  }

  /** Deletes the session; `heldLock` is the session lock when the caller holds it already (a removal takes it otherwise). */
  async clear(heldLock?: ReleaseLock): Promise<void> {
    await this.#telemetry.storeOp("delete", () =>
      this.manager.delete(this.authType, heldLock ? { heldLock } : undefined),
    );
    this.current = undefined;
  }

  #write(auth: AuthObject) {
    return this.#telemetry.storeOp("write", () =>
      this.manager.write(this.authType, auth, { fingerprint: this.fingerprint }),
    );
  }

  /**
   * Takes the store's lock on this session (traced as a store operation, its
   * wait measured); `waited` is told how long that took, ms.
   * @returns a function that releases it.
   */
  async lock(options: LockOptions, waited?: (ms: number) => void): Promise<ReleaseLock> {
    const started = performance.now();
    let acquired = false;
    try {
      const release = await this.#telemetry.storeOp("lock", () => this.manager.lock(this.authType, options));
      acquired = true;
      return release;
    } finally {
      const ms = performance.now() - started;
      this.#telemetry.lockWaited(ms, acquired);
      waited?.(ms);
    }
  }

  /** The session without its tokens: of `auth` when given, else of the pair held in memory (if any). */
  summary(auth: AuthObject): SessionSummary;
  summary(auth?: AuthObject): SessionSummary | undefined;
  summary(auth: AuthObject | undefined = this.#memory): SessionSummary | undefined {
    if (!auth) return undefined;
    return {
      authType: this.authType,
      subject: this.manager.subject,
      refreshable: auth.refreshToken !== undefined,
      ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
      ...(auth.scope === undefined ? {} : { scope: auth.scope }),
    };
  }
}
