import type { SessionManager } from "@sessionstore/core";
import { expect } from "vitest";

/**
 * What every store's "records written by 0.1.0" fixture holds (made by
 * scripts/make-0.1.0-fixtures.mjs on the 0.1.0 release), in namespace "app":
 * a password session with a refresh token, an app session that expires five
 * years after it was written, and a server session of subject "alice".
 */
export const RECORDS_010_KEYS = ["app:alice:server", "app:default:app", "app:default:password"] as const;

/**
 * Checks that `manager` (namespace "app", over a store holding a 0.1.0
 * fixture) reads and lists every 0.1.0 session, then takes a new write beside
 * them. `appExpiresAt` is the fixture's own expiry of the app session.
 */
export async function expectRecordsOf010(manager: SessionManager, appExpiresAt: number): Promise<void> {
  expect(await manager.get("password")).toMatchObject({
    accessToken: "AT-010-user",
    refreshToken: "RT-010-user",
    ref: { type: "user", id: 7 },
  });
  expect(await manager.get("app")).toMatchObject({ accessToken: "AT-010-app", expiresAt: appExpiresAt });
  expect(await manager.forSubject("alice").get("server")).toMatchObject({ refreshToken: "RT-010-alice" });
  const listed = (await manager.list()).map((info) => info.key).sort();
  expect(listed).toEqual([...RECORDS_010_KEYS]);
  await manager.set({ access_token: "AT-new", refresh_token: "RT-new" }, "client");
  expect(await manager.get("client")).toMatchObject({ accessToken: "AT-new" });
  expect(await manager.get("password")).toMatchObject({ accessToken: "AT-010-user" });
}
