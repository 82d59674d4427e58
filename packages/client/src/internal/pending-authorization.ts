import {
  type AuthType,
  isSessionStoreError,
  type JsonObject,
  type SessionManager,
  toStoreError,
} from "@sessionstore/core";
import { base64url, sha256 } from "./sha256.js";

/** An authorization request this client sent and whose redirect has not come back yet. */
export interface PendingAuthorization {
  /** PKCE verifier sent (as its challenge) with the request, if any. */
  readonly codeVerifier?: string;
  /** The redirect URI the request named (the code exchange must repeat it). */
  readonly redirectURI: string;
  /** What the request asked for: a code, or a legacy implicit token. */
  readonly responseType: "code" | "token";
  /** When it was created, epoch ms on the client's clock. */
  readonly createdAt: number;
}

const KIND = "pending-authorization";

function encode(entry: PendingAuthorization): JsonObject {
  return {
    kind: KIND,
    redirectURI: entry.redirectURI,
    responseType: entry.responseType,
    createdAt: entry.createdAt,
    ...(entry.codeVerifier === undefined ? {} : { codeVerifier: entry.codeVerifier }),
  };
}

function decode(record: JsonObject | undefined): PendingAuthorization | undefined {
  if (record === undefined || record.kind !== KIND) return undefined;
  const { redirectURI, responseType, createdAt, codeVerifier } = record;
  if (typeof redirectURI !== "string" || typeof createdAt !== "number") return undefined;
  if (responseType !== "code" && responseType !== "token") return undefined;
  if (codeVerifier !== undefined && typeof codeVerifier !== "string") return undefined;
  return { redirectURI, responseType, createdAt, ...(codeVerifier === undefined ? {} : { codeVerifier }) };
}

/**
 * The authorization requests a client has sent, kept in its session store
 * beside the session (`<session key>:pending:<hash of state>`), so the
 * redirect can be checked after a full-page navigation (a browser's store is
 * localStorage) or by another instance of a server sharing the store.
 * Each entry is taken at most once: `get`, then `delete`, and only the caller
 * whose `delete` removed it may use it. A podio-style store, which only holds
 * sessions, keeps them in this process's memory instead.
 */
export class PendingAuthorizations {
  readonly #manager: SessionManager;
  readonly #authType: AuthType;
  readonly #now: () => number;
  readonly #ttlMs: number;
  /** Used when the store refuses keys other than session keys (a wrapped podio-style store). */
  readonly #memory = new Map<string, PendingAuthorization>();
  /** Writes started by the synchronous `getAuthorizationURL` that `take` must wait for. */
  readonly #writes = new Set<Promise<void>>();

  constructor(manager: SessionManager, authType: AuthType, now: () => number, ttlMs: number) {
    this.#manager = manager;
    this.#authType = authType;
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  // The state itself never becomes a key (it could hold any characters, and a key may be listed).
  #keyFor(state: string): string {
    return `${this.#manager.keyFor(this.#authType)}:pending:${base64url(sha256(new TextEncoder().encode(state)))}`;
  }

  /**
   * Records `entry` under `state`. The returned promise settles when it is
   * stored; it is also remembered, so a `take` in this process waits for it.
   */
  record(state: string, entry: PendingAuthorization): Promise<void> {
    const key = this.#keyFor(state);
    const write = this.#write(key, entry);
    const tracked = write.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.add(tracked);
    void tracked.then(() => this.#writes.delete(tracked));
    return write;
  }

  async #write(key: string, entry: PendingAuthorization): Promise<void> {
    // Lifetimes are measured on the injected clock; the store keeps wall time.
    const expiresAt = Date.now() + this.#ttlMs;
    try {
      await this.#manager.store.set(key, encode(entry), { expiresAt });
    } catch (error) {
      if (!isSessionStoreError(error, "ERR_INVALID_ARGUMENT")) throw toStoreError(error, "set");
      this.#memory.set(key, entry);
    }
  }

  /**
   * Takes (reads and deletes) the entry recorded under `state`.
   * @returns it, or `undefined` when there is none, it expired, or someone else took it first.
   */
  async take(state: string): Promise<PendingAuthorization | undefined> {
    await Promise.all(this.#writes);
    const key = this.#keyFor(state);
    let entry = this.#memory.get(key);
    if (entry !== undefined) {
      this.#memory.delete(key);
    } else {
      const { store } = this.#manager;
      let record: JsonObject | undefined;
      try {
        record = await store.get(key);
      } catch (error) {
        if (isSessionStoreError(error, "ERR_INVALID_ARGUMENT")) return undefined;
        throw toStoreError(error, "get");
      }
      entry = decode(record);
      if (entry === undefined) return undefined;
      // Only the one whose delete removed it may use it (two tabs or instances racing on one redirect).
      let removed: boolean;
      try {
        removed = await store.delete(key);
      } catch (error) {
        throw toStoreError(error, "delete");
      }
      if (!removed) return undefined;
    }
    const age = this.#now() - entry.createdAt;
    return age >= 0 && age <= this.#ttlMs ? entry : undefined;
  }
}
