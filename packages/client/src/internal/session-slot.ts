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
  normalizeAuthObject,
  type ReleaseLock,
  type SessionManager,
  type SessionStore,
} from "@sessionstore/core";
import { invalidArgument } from "../errors.js";
import type { PlatformClientOptions, SessionSummary } from "../types.js";

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
  #memory: AuthObject | undefined;
  /** A refreshed pair that could not be persisted yet: it is the only valid one, keep trying. */
  #unsaved = false;

  constructor(manager: SessionManager, authType: AuthType, fingerprint: string, now: () => number) {
    this.manager = manager;
    this.authType = authType;
    this.fingerprint = fingerprint;
    this.#now = now;
  }

  get current(): AuthObject | undefined {
    return this.#memory;
  }

  set current(auth: AuthObject | undefined) {
    this.#memory = auth;
    this.#unsaved = false;
  }

  /** Whether the pair held in memory still waits to be persisted (it must not be dropped). */
  get unsaved(): boolean {
    return this.#unsaved;
  }

  /** The store key, used to share single-flight refreshes between clients of one store. */
  get key(): string {
    return `${this.manager.keyFor(this.authType)}|${this.fingerprint}`;
  }

  get store(): SessionStore {
    return this.manager.store;
  }

  /** Reads the store: the session, unless it was written under another configuration. */
  async read(): Promise<AuthObject | undefined> {
    const stored = await this.manager.read(this.authType);
    // Records without a fingerprint were written by podio-js or a legacy store: usable.
    if (!stored || (stored.fingerprint !== undefined && stored.fingerprint !== this.fingerprint)) return undefined;
    return stored.auth;
  }

  /** Normalises a token response (keeping `previousRefreshToken` when none came back) and persists it. */
  async save(response: object, previousRefreshToken?: string): Promise<AuthObject> {
    const auth = normalizeAuthObject(response, this.#now());
    const complete: AuthObject =
      auth.refreshToken === undefined && previousRefreshToken !== undefined
        ? { ...auth, refreshToken: previousRefreshToken }
        : auth;
    try {
      const stored = await this.manager.write(this.authType, complete, { fingerprint: this.fingerprint });
      this.current = stored.auth;
      return stored.auth;
    } catch (error) {
      // Rotation already happened server-side: losing this pair would end the session.
      this.#memory = complete;
      this.#unsaved = true;
      throw error;
    }
  }

  /** Persists a pair whose earlier write failed. */
  async flush(): Promise<void> {
    if (!this.#unsaved || !this.#memory) return;
    await this.manager.write(this.authType, this.#memory, { fingerprint: this.fingerprint });
    this.#unsaved = false;
  }

  /**
   * {@link flush}, except that a store still down is not an error: the pair
   * stays in memory, marked unsaved, and calls go on with it (it is the only
   * valid pair); the next call tries to write it again.
   */
  async flushIfReachable(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      if (!isSessionStoreError(error, "ERR_STORE_UNAVAILABLE")) throw error;
    }
  }

  /** Deletes the session; `heldLock` is the session lock when the caller holds it already (a removal takes it otherwise). */
  async clear(heldLock?: ReleaseLock): Promise<void> {
    await this.manager.delete(this.authType, heldLock ? { heldLock } : undefined);
    this.current = undefined;
  }

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
