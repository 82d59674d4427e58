import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** What an access token says about itself (signed, so the platform keeps no list of them). */
export interface AccessClaims {
  /** Resource owner (username), or the client id for client_credentials. */
  readonly sub: string;
  readonly cid: string;
  readonly scope: string;
  /** Issued and expiry times, epoch ms. */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** Refresh-token family it belongs to, when it has one. */
  readonly fam?: string;
  /** Expiry epoch it was issued in; `expireAccessTokens()` starts a new one. */
  readonly ep: number;
}

interface Family {
  sub: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

interface RefreshRecord {
  family: string;
  used: boolean;
  expiresAt?: number;
}

interface StateData {
  version: 1;
  epoch: number;
  families: Record<string, Family>;
  /** Keyed by SHA-256 of the refresh token: the file never holds a usable token. */
  refresh: Record<string, RefreshRecord>;
  /** Revoked access-token ids and when they would have expired anyway. */
  revokedAccess: Record<string, number>;
}

/** Why a refresh token was refused. */
export type RefreshRefusal = "unknown" | "wrong_client" | "revoked" | "reused" | "expired";

export type RefreshOutcome =
  | { readonly ok: true; readonly family: string; readonly claims: Family }
  | { readonly ok: false; readonly reason: RefreshRefusal };

const PREFIX = "fp1";

function b64url(bytes: Buffer): string {
  return bytes.toString("base64url");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Random opaque token: 32 bytes of entropy. */
export function randomToken(prefix: string): string {
  return `${prefix}_${b64url(randomBytes(32))}`;
}

/**
 * The platform's memory: signs and checks access tokens, keeps refresh-token
 * families with rotation and reuse detection, and persists itself to a file so
 * a restarted platform (same key, same file) honours what it issued before.
 */
export class TokenState {
  readonly #key: Buffer;
  readonly #file: string | undefined;
  readonly #now: () => number;
  #data: StateData;

  constructor(key: string | Uint8Array | undefined, file: string | undefined, now: () => number) {
    this.#key = key === undefined ? randomBytes(32) : Buffer.from(key);
    if (this.#key.length === 0) throw new TypeError("signingKey must not be empty");
    this.#file = file;
    this.#now = now;
    this.#data = this.#load();
  }

  #load(): StateData {
    const fresh: StateData = { version: 1, epoch: 0, families: {}, refresh: {}, revokedAccess: {} };
    if (!this.#file || !existsSync(this.#file)) return fresh;
    const parsed = JSON.parse(readFileSync(this.#file, "utf8")) as Partial<StateData>;
    if (parsed.version !== 1) throw new Error(`fake platform state file ${this.#file} has an unknown version`);
    return { ...fresh, ...parsed };
  }

  #save(): void {
    if (!this.#file) return;
    const temp = `${this.#file}.${process.pid}.${b64url(randomBytes(6))}.tmp`;
    writeFileSync(temp, JSON.stringify(this.#data), { mode: 0o600 });
    renameSync(temp, this.#file);
    chmodSync(this.#file, 0o600);
  }

  #sign(body: string): string {
    return b64url(createHmac("sha256", this.#key).update(body).digest());
  }

  /** Issues a signed access token. */
  issueAccess(claims: Omit<AccessClaims, "iat" | "exp" | "jti" | "ep">, lifetimeSec: number): string {
    const iat = this.#now();
    const full: AccessClaims = {
      ...claims,
      iat,
      exp: iat + lifetimeSec * 1000,
      jti: b64url(randomBytes(12)),
      ep: this.#data.epoch,
    };
    const body = `${PREFIX}.${b64url(Buffer.from(JSON.stringify(full)))}`;
    return `${body}.${this.#sign(body)}`;
  }

  /** The claims of a valid access token, or why it is not valid. */
  verifyAccess(token: string): { ok: true; claims: AccessClaims } | { ok: false; expired: boolean } {
    const parts = token.split(".");
    if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, expired: false };
    const body = `${parts[0]}.${parts[1]}`;
    const given = Buffer.from(parts[2] ?? "", "base64url");
    const expected = Buffer.from(this.#sign(body), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, expired: false };
    let claims: AccessClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as AccessClaims;
    } catch {
      return { ok: false, expired: false };
    }
    if (this.#data.revokedAccess[claims.jti] !== undefined) return { ok: false, expired: false };
    if (claims.fam !== undefined && this.#data.families[claims.fam]?.revoked !== false) {
      return { ok: false, expired: false };
    }
    if (claims.exp <= this.#now() || claims.ep < this.#data.epoch) return { ok: false, expired: true };
    return { ok: true, claims };
  }

  /** Starts a refresh-token family (one sign-in) and returns its first refresh token. */
  startFamily(
    sub: string,
    clientId: string,
    scope: string,
    lifetimeSec: number | undefined,
  ): {
    family: string;
    refreshToken: string;
  } {
    const family = b64url(randomBytes(12));
    this.#data.families[family] = { sub, clientId, scope, revoked: false };
    const refreshToken = this.#addRefresh(family, lifetimeSec);
    this.#save();
    return { family, refreshToken };
  }

  #addRefresh(family: string, lifetimeSec: number | undefined): string {
    const token = randomToken("rt");
    this.#data.refresh[sha256(token)] = {
      family,
      used: false,
      ...(lifetimeSec === undefined ? {} : { expiresAt: this.#now() + lifetimeSec * 1000 }),
    };
    return token;
  }

  /**
   * Uses a refresh token: when `rotate`, it is spent and a new one is returned.
   * A spent token presented again is reuse: refused, and its family revoked
   * when `revokeOnReuse` ([OAuth 2.0 Security BCP §4.14](https://datatracker.ietf.org/doc/html/rfc9700#section-4.14)).
   */
  useRefresh(
    token: string,
    clientId: string,
    options: { rotate: boolean; revokeOnReuse: boolean; lifetimeSec: number | undefined },
  ): RefreshOutcome & { next?: string } {
    const record = this.#data.refresh[sha256(token)];
    if (!record) return { ok: false, reason: "unknown" };
    const family = this.#data.families[record.family];
    if (!family) return { ok: false, reason: "unknown" };
    if (family.clientId !== clientId) return { ok: false, reason: "wrong_client" };
    if (family.revoked) return { ok: false, reason: "revoked" };
    if (record.used) {
      if (options.revokeOnReuse) {
        family.revoked = true;
        this.#save();
      }
      return { ok: false, reason: "reused" };
    }
    if (record.expiresAt !== undefined && record.expiresAt <= this.#now()) return { ok: false, reason: "expired" };
    if (!options.rotate) return { ok: true, family: record.family, claims: family };
    record.used = true;
    const next = this.#addRefresh(record.family, options.lifetimeSec);
    this.#save();
    return { ok: true, family: record.family, claims: family, next };
  }

  /** Revokes the family of a refresh token. @returns whether the token was known. */
  revokeRefresh(token: string, clientId: string): boolean {
    const record = this.#data.refresh[sha256(token)];
    const family = record ? this.#data.families[record.family] : undefined;
    if (!family || family.clientId !== clientId) return false;
    family.revoked = true;
    this.#save();
    return true;
  }

  /** Revokes one access token (and, per RFC 7009 §2.1's "may", nothing else). @returns whether it was valid. */
  revokeAccess(token: string, clientId: string): boolean {
    const verified = this.verifyAccess(token);
    if (!verified.ok || verified.claims.cid !== clientId) return false;
    this.#data.revokedAccess[verified.claims.jti] = verified.claims.exp;
    const now = this.#now();
    for (const [jti, exp] of Object.entries(this.#data.revokedAccess)) {
      if (exp <= now) delete this.#data.revokedAccess[jti];
    }
    this.#save();
    return true;
  }

  /** Revokes one family (authorization-code reuse). */
  revokeFamily(family: string): void {
    const entry = this.#data.families[family];
    if (entry) entry.revoked = true;
    this.#save();
  }

  revokeAllFamilies(): void {
    for (const family of Object.values(this.#data.families)) family.revoked = true;
    this.#save();
  }

  expireAccessTokens(): void {
    this.#data.epoch += 1;
    this.#save();
  }
}
