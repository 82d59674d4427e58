// The "Node script run again and again" of the cold-start case (see
// cold-start.ts): argv = database path, API URL. It signs in only when the
// SQLite store holds no usable session, calls the API once, and reports when
// the first authenticated answer arrived.
const scriptStart = performance.now();
const [databasePath = "", apiURL = ""] = process.argv.slice(2);

const { createSqliteStore } = await import("@sessionstore/sqlite");
const { PlatformClient } = await import("@sessionstore/client");
const { DEMO_AUTH, DEMO_USER } = await import("../demo.js");
const modulesLoaded = performance.now();

const store = createSqliteStore({ path: databasePath });
const client = new PlatformClient(DEMO_AUTH, { apiURL, sessionStore: store });
if (!(await client.isAuthenticated())) await client.authenticateWithCredentials(DEMO_USER.username, DEMO_USER.password);
await client.request("GET", "/user/status");
const answered = performance.now();

process.send?.({ scriptMs: answered - scriptStart, afterImportsMs: answered - modulesLoaded });
await store.close();
process.disconnect();
