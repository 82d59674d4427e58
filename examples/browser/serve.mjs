// Serves the browser example: a static page (index.html + app.js) that keeps
// its session in localStorage, and the fake OAuth platform it signs in to.
//
//   node examples/browser/serve.mjs [--port 8787]
//
// No build step: esbuild bundles app.js for the browser and the fake platform
// for Node from the workspace sources when the script starts.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request as forward } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
const alias = Object.fromEntries([
  ...["core", "client", "local-storage"].map((name) => [`@sessionstore/${name}`, `${packages}${name}/src/index.ts`]),
  ["@sessionstore/core/adapter", `${packages}core/src/adapter/index.ts`],
]);
const portArgument = process.argv.indexOf("--port");
const port = Number(portArgument > 0 ? process.argv[portArgument + 1] : (process.env.PORT ?? 8787));

async function bundle(entry, platform) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform,
    target: platform === "node" ? "node20" : "es2022",
    conditions: ["@sessionstore/source"],
    alias,
    minify: platform === "browser",
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

// The fake platform (a real OAuth server for tests and demos) is Node-only TypeScript: bundle it, then import it.
const scratch = await mkdtemp(join(tmpdir(), "sessionstore-example-"));
const platformModule = join(scratch, "platform.mjs");
await writeFile(platformModule, await bundle(`${packages}testkit/src/platform/index.ts`, "node"));
const { startFakePlatform } = await import(pathToFileURL(platformModule).href);
await rm(scratch, { recursive: true, force: true });
// Short-lived access tokens, so refreshes happen while you watch.
const platform = await startFakePlatform({ accessTokenLifetime: 120 });

const files = {
  "/": { type: "text/html; charset=utf-8", body: await readFile(join(here, "index.html"), "utf8") },
  "/app.js": { type: "text/javascript; charset=utf-8", body: await bundle(join(here, "app.js"), "browser") },
};

const server = createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const file = files[path];
  if (file) {
    response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
    response.end(file.body);
    return;
  }
  // Everything else is the platform's (/oauth/*, /user/status, /items/*): same origin, so no CORS is needed.
  const target = new URL(request.url ?? "/", platform.url);
  const upstream = forward(target, { method: request.method, headers: { ...request.headers, host: target.host } });
  upstream.on("response", (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on("error", () => response.destroy());
  request.pipe(upstream);
});
server.listen(port, "127.0.0.1", () => {
  const { port: actual } = server.address();
  console.log(`sessionstore browser example: http://127.0.0.1:${actual}/  (fake platform at ${platform.url})`);
  console.log("Open it in two tabs; Ctrl-C stops it.");
});

const stop = async () => {
  server.close();
  server.closeAllConnections();
  await platform.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
