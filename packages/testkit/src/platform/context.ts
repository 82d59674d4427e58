import type { ServerResponse } from "node:http";
import type { FaultQueue } from "./faults.js";
import { sendJson } from "./http-util.js";
import type { PodioState } from "./podio-mode.js";
import type { TokenState } from "./token-state.js";
import type { FakeClient, FakePlatformStats, Fault, UnauthorizedStyle } from "./types.js";

/** A pending authorization code (kept in memory: codes live a minute). */
export interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectURI: string;
  readonly sub: string;
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly expiresAt: number;
  used: boolean;
  /** Family started when it was exchanged, revoked if the code is replayed (RFC 6749 §4.1.2). */
  family?: string;
}

/** Everything a route handler needs. */
export interface PlatformContext {
  readonly state: TokenState;
  readonly faults: FaultQueue;
  readonly stats: FakePlatformStats;
  readonly clients: ReadonlyMap<string, FakeClient>;
  readonly users: Readonly<Record<string, string>>;
  readonly authorizeAs: string;
  readonly codes: Map<string, AuthorizationCode>;
  readonly accessTokenLifetime: number;
  readonly refreshTokenLifetime: number | undefined;
  readonly rotateRefreshTokens: boolean;
  readonly revokeFamilyOnReuse: boolean;
  readonly unauthorizedStyle: UnauthorizedStyle;
  /** Podio mode, when on. */
  readonly podio: PodioState | undefined;
  readonly now: () => number;
}

/**
 * Applies a fault that replaces the answer (`status`, `hang`, `reset`).
 * @returns whether the request was taken care of.
 */
export function applyFault(ctx: PlatformContext, fault: Fault | undefined, res: ServerResponse): boolean {
  if (!fault || fault.kind === "drop-after-rotation") return false;
  ctx.stats.faultsInjected += 1;
  if (fault.kind === "status") {
    const status = fault.status ?? 503;
    sendJson(res, status, { error: "server_error", error_description: `injected fault: HTTP ${status}` });
  } else if (fault.kind === "reset") {
    res.socket?.destroy();
  }
  // "hang": answer nothing; close() destroys the socket.
  return true;
}

/** Destroys the connection instead of answering (the client never learns the outcome). */
export function dropConnection(ctx: PlatformContext, res: ServerResponse): void {
  ctx.stats.faultsInjected += 1;
  res.socket?.destroy();
}
