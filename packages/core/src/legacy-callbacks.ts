import { type SessionStoreError, toStoreError } from "./errors.js";
import { assertOptionalFunction, invokeLater, observed } from "./internal/callbacks.js";
import { isEmptyAuthObject } from "./normalize.js";
import type { GetCallback, SessionManager, SetCallback } from "./session-manager-types.js";
import type { AuthObject, AuthType } from "./types.js";

// Errors that reach a legacy callback: ours as they are, anything else wrapped (and redacted).
const asError = (error: unknown) => toStoreError(error, "call");

/**
 * podio-js's `get(authType, cb)` and `set(authObject, authType, cb?)` over the promise core.
 * Without a callback both return the promise; with one they return undefined and call it later,
 * outside our own promise chain, so a throwing callback is never taken for a store failure.
 * `getAuth`/`setAuth` check the auth type; `reportUnseen` logs or emits a failure no caller
 * can see (a callback-less logout, a failed `get` callback). Positional, not an options
 * object: property names survive minification and this is on the browser bundle's path.
 */
export function callbackForms(
  getAuth: (authType: AuthType) => Promise<AuthObject | undefined>,
  setAuth: (authObject: object, authType: AuthType) => Promise<void>,
  reportUnseen: (error: SessionStoreError) => void,
): Pick<SessionManager, "get" | "set"> {
  const get = (authType: AuthType, callback?: GetCallback) => {
    assertOptionalFunction(callback, "callback");
    const pending = getAuth(authType);
    if (!callback) return pending;
    pending.then(
      (auth) => invokeLater(() => callback(auth)),
      (error: unknown) => {
        const failure = asError(error);
        reportUnseen(failure);
        invokeLater(() => callback(undefined, failure));
      },
    );
    return undefined;
  };
  const set = (authObject: object, authType: AuthType, callback?: SetCallback) => {
    assertOptionalFunction(callback, "callback");
    const pending = setAuth(authObject, authType);
    if (!callback) {
      // podio-js logs out with `set({}, authType)` and ignores the result: report
      // a failure there, and keep it from crashing the process as unhandled.
      if (isEmptyAuthObject(authObject)) {
        pending.catch((error: unknown) => reportUnseen(asError(error)));
        return observed(pending);
      }
      return pending;
    }
    pending.then(
      () => invokeLater(() => callback(null)),
      (error: unknown) => invokeLater(() => callback(asError(error))),
    );
    return undefined;
  };
  return { get: get as SessionManager["get"], set: set as SessionManager["set"] };
}
