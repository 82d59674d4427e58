import { type AuthObject, createSessionManager, type SessionStoreError } from "@sessionstore/core";
import { describe, expect, it } from "vitest";
import { type SuiteContext, uniqueNamespace } from "./context.js";

// What podio-js hands to a session store after a password login.
const podioAuth = {
  accessToken: "conformance-access",
  refreshToken: "conformance-refresh",
  expiresIn: 28_800,
  ref: { type: "user", id: 42 },
  transferToken: null,
  scope: "global:all",
};

/**
 * podio-js's exact call patterns, through a SessionManager over this store, so
 * the store works unchanged as podio-js's `sessionStore`.
 */
export function describeLegacyContract(ctx: SuiteContext): void {
  describe("legacy callback contract (podio-js)", () => {
    const manager = async () => createSessionManager(await ctx.open(), { namespace: uniqueNamespace() });

    it("set(auth, type, callback) calls back with exactly null; get(type, callback) with the object", async () => {
      const sessions = await manager();
      const setArgs = await new Promise<unknown[]>((resolve) =>
        sessions.set(podioAuth, "password", (...args) => resolve(args)),
      );
      expect(setArgs).toEqual([null]);
      const getArgs = await new Promise<unknown[]>((resolve) =>
        sessions.get("password", (...args: unknown[]) => resolve(args)),
      );
      expect(getArgs).toHaveLength(1);
      // A null optional field (podio-js's transferToken) reads back as absent.
      const { transferToken: _absent, ...kept } = podioAuth;
      expect(getArgs[0]).toMatchObject(kept);
      expect(getArgs[0]).not.toHaveProperty("transferToken");
    });

    it("get calls a one-argument callback with undefined when there is no session", async () => {
      const sessions = await manager();
      const received = await new Promise<{ auth: AuthObject | undefined; count: number }>((resolve) =>
        sessions.get("server", (...args: unknown[]) => {
          resolve({ auth: args[0] as AuthObject | undefined, count: args.length });
        }),
      );
      expect(received).toEqual({ auth: undefined, count: 1 });
    });

    it("set without a callback returns a promise that resolves once stored", async () => {
      const sessions = await manager();
      await sessions.set(podioAuth, "client");
      expect(await sessions.get("client")).toMatchObject({ accessToken: podioAuth.accessToken });
    });

    it("set({}, type) without a callback logs out (deletes the session)", async () => {
      const sessions = await manager();
      await sessions.set(podioAuth, "password");
      await sessions.set({}, "password");
      expect(await sessions.get("password")).toBeUndefined();
    });

    it("set({}) then set(newPair) without waiting (podio-js refresh) ends with the new pair", async () => {
      const sessions = await manager();
      await sessions.set(podioAuth, "password");
      void sessions.set({}, "password");
      await sessions.set({ ...podioAuth, accessToken: "rotated" }, "password");
      expect((await sessions.get("password"))?.accessToken).toBe("rotated");
    });

    it("an invalid auth object reaches the set callback as ERR_INVALID_AUTH_OBJECT and nothing is stored", async () => {
      const sessions = await manager();
      const error = await new Promise<SessionStoreError | null>((resolve) =>
        sessions.set({ accessToken: "" }, "app", resolve),
      );
      expect(error).toMatchObject({ code: "ERR_INVALID_AUTH_OBJECT", field: "accessToken" });
      expect(await sessions.get("app")).toBeUndefined();
    });
  });
}
