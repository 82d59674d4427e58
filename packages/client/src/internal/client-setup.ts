import { type AuthType, isAuthType } from "@sessionstore/core";
import type { Emitter } from "@sessionstore/core/adapter";
import { invalidArgument } from "../errors.js";
import { configFingerprint } from "../fingerprint.js";
import { checkOptions, type ResolvedOptions } from "../options.js";
import type { PlatformAuthOptions, PlatformClientEvents, PlatformClientOptions } from "../types.js";
import { announceMissingLock } from "./lock-warning.js";
import { revokerFor } from "./logout.js";
import { PendingAuthorizations } from "./pending-authorization.js";
import type { AuthorizationConfig } from "./redirect.js";
import type { RefreshDeps } from "./refresh.js";
import { type ApiBase, apiBase } from "./request.js";
import { resolveManager, SessionSlot } from "./session-slot.js";
import { watchSession } from "./store-watch.js";
import { clientTelemetry } from "./telemetry.js";
import { type TokenEndpointConfig, tokenEndpointConfig } from "./token-endpoint.js";

/** The collaborators of one client, wired from its auth and options. */
export interface ClientParts {
  readonly authType: AuthType;
  readonly options: ResolvedOptions;
  readonly api: ApiBase;
  readonly slot: SessionSlot;
  readonly token: TokenEndpointConfig;
  readonly refresh: RefreshDeps;
  readonly authorization: AuthorizationConfig;
  readonly pending: PendingAuthorizations;
  /** Stops following the store's change reports. */
  readonly unwatch: (() => void) | undefined;
}

/**
 * Checks `auth` and `options` (naming the field at fault) and wires the
 * client's parts: the session slot over the manager, the token endpoint, the
 * refresh algorithm, pending authorizations and the store watch. Events go to
 * `events`.
 * @throws `ERR_INVALID_ARGUMENT` for bad input; nothing is read or written then.
 */
export function setUpClient(
  auth: PlatformAuthOptions,
  options: PlatformClientOptions,
  events: Emitter<PlatformClientEvents>,
): ClientParts {
  if (typeof auth !== "object" || auth === null) throw invalidArgument("auth", "must be an object");
  if (!isAuthType(auth.authType))
    throw invalidArgument("auth.authType", "must be 'server', 'client', 'password' or 'app'");
  if (typeof auth.clientId !== "string" || auth.clientId === "")
    throw invalidArgument("auth.clientId", "must be a non-empty string");
  const { authType, clientId, scope, audience } = auth;
  const resolved = checkOptions(auth, options);
  const manager = resolveManager(options, resolved.now);
  const telemetry = clientTelemetry(options, manager.store, events);
  const token = tokenEndpointConfig(auth, resolved, telemetry);
  const fingerprint = configFingerprint({
    tokenURL: resolved.tokenURL,
    authorizeURL: resolved.authorizeURL,
    revokeURL: resolved.revokeURL,
    clientId,
    clientSecret: auth.clientSecret,
    scope,
    audience,
  });
  const lock = { ttlMs: resolved.lockTtlMs, waitMs: resolved.lockWaitMs };
  const slot = new SessionSlot(manager, authType, fingerprint, resolved.now, {
    lock,
    revoke: revokerFor(token, resolved.revokeURL),
    yielded: (revoked) => events.emit("logout", { reason: "elsewhere", revoked }),
    telemetry,
  });
  announceMissingLock(slot.store, options.sessionStore, options.singleProcess, (warning) =>
    events.emit("warning", warning),
  );
  const refresh: RefreshDeps = {
    slot,
    token,
    now: resolved.now,
    marginMs: resolved.refreshMarginMs,
    lock,
    hooks: options,
    renewal: authType === "app" ? resolved.appRenewal : undefined,
    keptOnRefresh: resolved.keptOnRefresh,
    emit: (event, payload) => events.emit(event, payload),
  };
  const unwatch = watchSession(slot, {
    ended: () => events.emit("logout", { reason: "elsewhere", revoked: false }),
    adopted: (adoptedAuth) =>
      events.emit("refresh", { adopted: true, trigger: "watch", session: slot.summary(adoptedAuth) }),
  });
  return {
    authType,
    options: resolved,
    api: apiBase(resolved.apiURL),
    slot,
    token,
    refresh,
    authorization: { authorizeURL: resolved.authorizeURL, authType, clientId, scope, audience },
    pending: new PendingAuthorizations(slot.manager, authType, resolved.now, resolved.authorizationTtlMs),
    unwatch,
  };
}
