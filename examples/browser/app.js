// The page's code. serve.mjs bundles it for the browser with esbuild; in your
// app, your bundler does the same from the published packages.
import { PlatformClient } from "@sessionstore/client";
import { createLocalStorageStore } from "@sessionstore/local-storage";

const redirectURI = `${location.origin}/`;
const sessionStore = createLocalStorageStore({ prefix: "example:" });
const client = new PlatformClient(
  { authType: "client", clientId: "demo-public" },
  // The fake platform is proxied through this page's origin (see serve.mjs).
  { apiURL: location.origin, sessionStore, revokeURL: `${location.origin}/oauth/revoke` },
);

const $ = (id) => document.getElementById(id);
const log = (line) => {
  $("log").textContent = `${new Date().toLocaleTimeString()}  ${line}\n${$("log").textContent}`;
};
const showStatus = async () => {
  const session = (await client.isAuthenticated()) ? await client.session() : undefined;
  $("status").textContent = session
    ? `Signed in (${session.refreshable ? "refreshable" : "no refresh token"}), token expires ${new Date(session.expiresAt ?? 0).toLocaleTimeString()}`
    : "Signed out";
  document.body.dataset.signedIn = String(Boolean(session));
};

client.on("tokens", ({ grant }) => log(`signed in (${grant})`));
client.on("refresh", ({ adopted }) => log(adopted ? "adopted the token another tab refreshed" : "refreshed the token"));
client.on("logout", () => log("logged out"));
// Another tab wrote or removed the session: re-read it (a logout there logs out here).
sessionStore.watch(({ key }) => {
  log(`another tab changed ${key}`);
  void showStatus();
});

// The client creates the state (and the PKCE verifier) and records them in the
// store before the page leaves; only the redirect answering them is accepted.
$("sign-in").onclick = async () => {
  location.assign(await client.createAuthorizationURL(redirectURI));
};
$("sign-in-implicit").onclick = async () => {
  location.assign(await client.createAuthorizationURL(redirectURI, { responseType: "token" }));
};
$("call").onclick = async () => {
  try {
    const status = await client.request("GET", "/user/status");
    log(
      `API says: user ${status.user.username}, token valid until ${new Date(status.token_expires_at).toLocaleTimeString()}`,
    );
  } catch (error) {
    log(`API call failed: ${error.code ?? error.name}: ${error.message}`);
  }
  await showStatus();
};
$("log-out").onclick = async () => {
  const { revoked } = await client.logout();
  log(`logout: tokens ${revoked ? "revoked at the server" : "deleted here only"}`);
  await showStatus();
};

try {
  // Back from the authorization server? Exchange the code, or keep the implicit token; the URL is cleaned.
  // A redirect this tab did not start (a forged link) is refused with ERR_REDIRECT.
  await client.handleRedirect();
} catch (error) {
  log(`sign-in failed: ${error.message}`);
}
await showStatus();
