import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

// A test that cannot fail is a defect: run the suite against stores that each
// break one rule and check that exactly the right tests fail.
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const vitestBin = fileURLToPath(new URL("../../../node_modules/vitest/vitest.mjs", import.meta.url));

interface AssertionResult {
  fullName: string;
  status: string;
}

let results: AssertionResult[] = [];

beforeAll(async () => {
  const output = join(tmpdir(), `conformance-broken-${process.pid}-${Date.now()}.json`);
  await new Promise<void>((resolve) => {
    // The run is expected to fail (exit code 1); the JSON report is what we judge.
    execFile(
      process.execPath,
      [vitestBin, "run", "--config", join(fixtures, "vitest.config.ts"), "--reporter=json", `--outputFile=${output}`],
      { cwd: fixtures, timeout: 120_000 },
      () => resolve(),
    );
  });
  let report: { testResults: { assertionResults: AssertionResult[] }[] };
  try {
    report = JSON.parse(await readFile(output, "utf8")) as typeof report;
  } finally {
    await rm(output, { force: true });
  }
  results = report.testResults.flatMap((file) => file.assertionResults);
}, 150_000);

function failedIn(store: string): string[] {
  return results
    .filter((result) => result.fullName.includes(`conformance: ${store} `) && result.status === "failed")
    .map((result) => result.fullName.split(`conformance: ${store} `)[1] ?? "");
}

describe("the conformance suite catches broken stores", () => {
  it("ran the fixture", () => {
    expect(results.length).toBeGreaterThan(100);
  });

  it("a backend failure answered as 'no session' (keyv's trap)", () => {
    expect(failedIn("swallowing")).toEqual(
      expect.arrayContaining([
        expect.stringContaining("an unavailable backend rejects get, set and delete"),
        expect.stringContaining("an outage rejects the promise form"),
      ]),
    );
  });

  it("a LIKE-pattern prefix in list()", () => {
    expect(failedIn("like-listing")).toEqual([
      expect.stringContaining("treats pattern characters in the prefix literally"),
    ]);
  });

  it("expiresAt ignored on read", () => {
    expect(failedIn("immortal")).toEqual(
      expect.arrayContaining([
        expect.stringContaining("whose expiresAt has passed reads as undefined"),
        expect.stringContaining("lives until its expiresAt"),
      ]),
    );
  });

  it("a lock without mutual exclusion", () => {
    expect(failedIn("open-door-lock")).toEqual(
      expect.arrayContaining([
        expect.stringContaining("excludes a second holder"),
        expect.stringContaining("never two inside at once"),
      ]),
    );
  });

  it("a lease renewal that does not check who holds the lock", () => {
    expect(failedIn("blind-extend")).toEqual([
      expect.stringContaining("extend after the lease passed to someone else is false"),
      expect.stringContaining("extend after release is false"),
    ]);
  });

  it("records handed out by reference", () => {
    expect(failedIn("shared-reference")).toEqual(expect.arrayContaining([expect.stringContaining("returns copies")]));
  });
});
