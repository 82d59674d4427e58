import { describe } from "vitest";
import { describeConcurrency } from "./concurrency.js";
import { createSuiteContext, type DescribeSessionStoreOptions, type SessionStoreFactory } from "./context.js";
import { describeCrud } from "./crud.js";
import { describeErrors } from "./errors.js";
import { describeExpiry } from "./expiry.js";
import { describeIsolation } from "./isolation.js";
import { describeLegacyContract } from "./legacy-contract.js";
import { describeListPage } from "./list-page.js";
import { describeListing } from "./listing.js";
import { describeLockExtend } from "./lock-extend.js";
import { describeLocking } from "./locking.js";
import { describeReadYourWrites } from "./read-your-writes.js";
import { describeWatch } from "./watch.js";

/**
 * Registers the SessionStore conformance suite for a store: crud, expiry,
 * isolation, errors, concurrency, the podio-js callback contract and
 * read-your-own-write (a slow read overtaken by a write) through a
 * SessionManager, and — when the store declares them in `capabilities` —
 * locking (lease renewal is skipped for a store whose locks offer no
 * `extend`), listing, paged listing and watch. Call it at the top level of a vitest test file:
 *
 * ```ts
 * import { describeSessionStore } from "@sessionstore/testkit";
 * describeSessionStore("my-store", () => createMyStore({ ... }));
 * ```
 *
 * `factory` must return a fresh store each call; the suite closes every store
 * it opens. Keys are random, so stores may share one backend. What runs is
 * decided by the capabilities of one store made at collection time.
 */
export function describeSessionStore(
  name: string,
  factory: SessionStoreFactory,
  options: DescribeSessionStoreOptions = {},
): void {
  describe(`SessionStore conformance: ${name}`, async () => {
    const probe = await factory();
    const capabilities = { ...probe.capabilities };
    await probe.close();
    const ctx = createSuiteContext(factory, options, capabilities);
    describeCrud(ctx);
    describeExpiry(ctx);
    describeIsolation(ctx);
    describeErrors(ctx);
    describeConcurrency(ctx);
    describeLegacyContract(ctx);
    describeReadYourWrites(ctx);
    if (capabilities.lock) {
      describeLocking(ctx);
      describeLockExtend(ctx);
    }
    if (capabilities.list) describeListing(ctx);
    if (capabilities.list && capabilities.listPage) describeListPage(ctx);
    if (capabilities.watch) describeWatch(ctx);
  });
}
