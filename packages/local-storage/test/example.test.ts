/**
 * The runnable example of docs/browser.md, as a user runs it:
 * `node examples/browser/serve.mjs`, then the page in two Chromium tabs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";

const SERVE = fileURLToPath(new URL("../../../examples/browser/serve.mjs", import.meta.url));
let child: ChildProcess | undefined;
let url = "";
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

beforeAll(async () => {
  const started = spawn(process.execPath, [SERVE, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  child = started;
  url = await new Promise<string>((resolve, reject) => {
    let output = "";
    started.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (found) resolve(found[0]);
    });
    started.on("exit", (code) => reject(new Error(`serve.mjs exited with ${code}: ${output}`)));
  });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.browser.close();
  child?.kill("SIGTERM");
});

async function open(): Promise<Page> {
  const page = await (chromium?.context.newPage() as Promise<Page>);
  await page.goto(url);
  await page.waitForSelector("body[data-signed-in]");
  return page;
}

it("serves a page that signs in with PKCE, calls the API, and logs out in every tab", async () => {
  const first = await open();
  expect(await first.textContent("#status")).toBe("Signed out");
  await first.click("#sign-in");
  await first.waitForSelector('body[data-signed-in="true"]');
  expect(new URL(first.url()).search).toBe("");
  await first.click("#call");
  await first.waitForFunction(() => document.querySelector("#log")?.textContent?.includes("API says: user demo"));

  const second = await open();
  expect(await second.getAttribute("body", "data-signed-in")).toBe("true");
  await first.click("#log-out");
  // The second tab hears of it through the storage event and shows it.
  await second.waitForSelector('body[data-signed-in="false"]');
  expect(await second.textContent("#log")).toContain("another tab changed");
});
