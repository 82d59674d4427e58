// Opens the built docs in Chromium at 1280 px and fails when a page scrolls
// sideways (a code block or table wider than the content column widens the page).
// Usage: pnpm docs:build && node scripts/check-docs-width.mjs
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve } from "node:path";
import { chromium } from "playwright-core";

const dist = resolve(import.meta.dirname, "../docs/.vitepress/dist");
const pages = [
  "/",
  "/getting-started",
  "/cli/",
  "/stores/sqlite",
  "/stores/redis",
  "/stores/file",
  "/client/",
  "/reliability",
  "/security",
  "/api/",
  "/api/@sessionstore/core/",
  "/api/@sessionstore/client/classes/PlatformClient",
];
const types = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

const server = createServer(async (request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
  for (const candidate of [path, `${path}.html`, join(path, "index.html")]) {
    try {
      const body = await readFile(join(dist, candidate));
      response.writeHead(200, { "content-type": types[extname(candidate)] ?? "application/octet-stream" });
      response.end(body);
      return;
    } catch {}
  }
  response.writeHead(404).end();
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const path of pages) {
    await page.goto(`${base}${path}`, { waitUntil: "load" });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    console.log(`${width <= 1280 ? "ok  " : "WIDE"} ${path}: ${width}px`);
    if (width > 1280) failures.push(path);
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failures.length === 0 ? 0 : 1);
