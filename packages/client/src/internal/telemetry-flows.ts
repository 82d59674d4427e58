import type { AuthObject } from "@sessionstore/core";
import type { PlatformClientEvents, RefreshInfo } from "../types.js";
import type { RefreshDeps } from "./refresh.js";
import { errorType, NO_TELEMETRY, type Telemetry } from "./telemetry.js";

/** What a token call learned about its answer. */
export interface TokenCallSeen {
  status?: number | undefined;
}

/**
 * A token-endpoint call: span `sessionstore.token_request` (grant type,
 * outcome, HTTP status), the token-call counter, one log line.
 */
export async function traceTokenCall<T>(
  telemetry: Telemetry = NO_TELEMETRY,
  grantType: string,
  work: (seen: TokenCallSeen) => Promise<T>,
): Promise<T> {
  const seen: TokenCallSeen = {};
  const started = performance.now();
  const attributes = { "sessionstore.grant_type": grantType };
  let outcome = "success";
  let error: string | undefined;
  try {
    return await telemetry.span(
      "sessionstore.token_request",
      attributes,
      async (span) => {
        try {
          return await work(seen);
        } finally {
          if (seen.status !== undefined) span?.setAttribute("http.response.status_code", seen.status);
        }
      },
      true,
    );
  } catch (thrown) {
    outcome = "failure";
    error = errorType(thrown);
    // A refused grant (or a 5xx) carries its status; a network error has none.
    seen.status ??= (thrown as { status?: number }).status;
    throw thrown;
  } finally {
    telemetry.metrics()?.tokenCalls.add(1, { ...attributes, "sessionstore.outcome": outcome });
    telemetry.log("token call", {
      grant_type: grantType,
      outcome,
      status: seen.status,
      error,
      ms: performance.now() - started,
    });
  }
}

type Result = "performed" | "adopted" | "failed";

/**
 * A refresh this process runs (inside its single flight): span
 * `sessionstore.refresh` (trigger, adopted or performed, lock wait), the
 * refresh counter, one log line for the decision. The refresh's own events
 * say how it ended; the lock wait comes back through `lockWaited`.
 */
export async function traceRefresh(
  deps: RefreshDeps,
  trigger: RefreshInfo["trigger"],
  work: (observed: RefreshDeps) => Promise<AuthObject>,
): Promise<AuthObject> {
  const telemetry = deps.token.telemetry ?? NO_TELEMETRY;
  let result: Result = "failed";
  let waitedMs: number | undefined;
  let reason: string | undefined;
  let error: string | undefined;
  const attributes = { "sessionstore.refresh.trigger": trigger };
  try {
    return await telemetry.span("sessionstore.refresh", attributes, async (span) => {
      const observed: RefreshDeps = {
        ...deps,
        emit<K extends keyof PlatformClientEvents>(event: K, payload: PlatformClientEvents[K]) {
          if (event === "refresh" && !(payload as PlatformClientEvents["refresh"]).adopted) result = "performed";
          if (event === "refreshFailed") reason = (payload as PlatformClientEvents["refreshFailed"]).reason;
          deps.emit(event, payload);
        },
        lockWaited(ms: number) {
          waitedMs = ms;
          span?.setAttribute("sessionstore.lock.wait_ms", ms);
        },
      };
      try {
        const auth = await work(observed);
        // Success without a "performed" event is an adoption (the watch may have announced the pair already).
        if (result !== "performed") result = "adopted";
        return auth;
      } finally {
        span?.setAttribute("sessionstore.refresh.result", result);
      }
    });
  } catch (thrown) {
    error = errorType(thrown);
    throw thrown;
  } finally {
    telemetry.metrics()?.refreshes.add(1, { ...attributes, "sessionstore.refresh.result": result });
    telemetry.log("refresh", {
      trigger,
      result,
      lock_wait_ms: waitedMs,
      reason,
      error,
    });
  }
}
