/**
 * Real Chromium for the tests: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser), pages served over http from
 * 127.0.0.1 because localStorage and Web Locks need a real origin.
 */
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const HARNESS_ENTRY = fileURLToPath(new URL("./page-harness.ts", import.meta.url));
const CLIENT_ENTRY = fileURLToPath(new URL("./client-page.ts", import.meta.url));

/** Bundles a browser entry the way an app's bundler would: platform browser, package sources via the source condition. */
export async function bundleForBrowser(entry: string, minify = false): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@sessionstore/source"],
    minify,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** What the test server answers: path → body (content type from the extension). */
export type Routes = Record<string, string>;

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/**
 * A static http server on 127.0.0.1 and a free port. Paths it does not serve
 * go to `proxyTo` when given: the fake platform sends no CORS headers, so the
 * page reaches it through its own origin, byte for byte.
 */
export async function serveStatic(routes: Routes, proxyTo?: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const body = routes[path];
    if (body === undefined && proxyTo !== undefined) {
      const target = new URL(request.url ?? "/", proxyTo);
      const upstream = forward(target, { method: request.method, headers: { ...request.headers, host: target.host } });
      upstream.on("response", (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on("error", () => response.destroy());
      request.pipe(upstream);
      return;
    }
    if (body === undefined) {
      response.writeHead(404).end("not found");
      return;
    }
    const extension = path.endsWith("/") ? "html" : (path.split(".").pop() ?? "");
    response.writeHead(200, {
      "content-type": CONTENT_TYPES[extension] ?? "text/html; charset=utf-8",
      "cache-control": "no-store",
      // A sandboxed (opaque-origin) frame fetches module scripts in CORS mode.
      "access-control-allow-origin": "*",
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, server };
}

export const BLANK_HTML = "<!doctype html><meta charset=utf-8><title>blank</title>";

/** Launches Chromium with a fresh profile (a new context is an empty, isolated profile). */
export async function launchChromium(): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  return { browser, context };
}

/** One browser, one context and the harness page server, shared by one test file. */
export interface BrowserHarness {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly origin: string;
  /** A new tab on the harness page, ready (`window.__harness` loaded). */
  newPage(): Promise<Page>;
  /** Delivers `watch` events from the pages to Node listeners by watch id. */
  readonly watchListeners: Map<number, (key: string) => void>;
  close(): Promise<void>;
}

/** Options for {@link startBrowserHarness}. */
export interface BrowserHarnessOptions {
  /** Also serve the client app at `/app` (PlatformClient over localStorage) and proxy other paths here. */
  platformURL?: string;
}

/** Starts everything a test file needs; close it in `afterAll`. */
export async function startBrowserHarness(options: BrowserHarnessOptions = {}): Promise<BrowserHarness> {
  const harnessJs = await bundleForBrowser(HARNESS_ENTRY);
  const page =
    '<!doctype html><meta charset=utf-8><title>harness</title><script type="module" src="/harness.js"></script>';
  const routes: Routes = { "/": page, "/frame.html": page, "/harness.js": harnessJs, "/blank.html": BLANK_HTML };
  if (options.platformURL !== undefined) {
    routes["/client.js"] = await bundleForBrowser(CLIENT_ENTRY);
    routes["/app"] =
      '<!doctype html><meta charset=utf-8><title>app</title><script type="module" src="/client.js"></script>';
  }
  const { origin, server } = await serveStatic(routes, options.platformURL);
  const { browser, context } = await launchChromium();
  const watchListeners = new Map<number, (key: string) => void>();
  await context.exposeFunction("__sessionstoreWatch", (watchId: number, key: string) => {
    watchListeners.get(watchId)?.(key);
  });
  return {
    browser,
    context,
    origin,
    watchListeners,
    async newPage() {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => window.__harness !== undefined);
      return page;
    },
    async close() {
      await context.close();
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
