// Where the script's platform is: PLATFORM_URL when set, otherwise an embedded
// fake platform (from @sessionstore/testkit) that keeps its signing key,
// refresh-token state and port in .sessionstore/, so a token issued to an
// earlier run is still accepted, as a real platform's would be.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { startFakePlatform } from "@sessionstore/testkit/platform";

const dir = ".sessionstore";
let embedded;

async function startEmbedded() {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = `${dir}/platform.key`;
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32).toString("base64"), { mode: 0o600 });
  const options = { signingKey: readFileSync(keyPath, "utf8").trim(), stateFile: `${dir}/platform.json` };
  // A stored session is bound to the token URL (its config fingerprint): come back on the same port.
  const portPath = `${dir}/platform.port`;
  const port = existsSync(portPath) ? Number(readFileSync(portPath, "utf8")) : 0;
  const platform = await startFakePlatform({ ...options, port }).catch(() => startFakePlatform(options));
  writeFileSync(portPath, String(platform.port));
  return platform;
}

/** The platform's base URL. */
export async function platformURL() {
  if (process.env.PLATFORM_URL) return process.env.PLATFORM_URL;
  embedded ??= await startEmbedded();
  return embedded.url;
}

/** Token calls the embedded platform received, or undefined for an external one. */
export function tokenCalls() {
  return embedded?.stats.tokenCalls;
}

export async function stopPlatform() {
  await embedded?.close();
}
