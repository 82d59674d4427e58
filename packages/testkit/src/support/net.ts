import { createServer } from "node:net";

/** A TCP port nothing listens on: bound, then released (to test connection-refused paths). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/**
 * Keeps a test HTTP server's idle keep-alive sockets for a minute (Node closes
 * them after 5 s). On a loaded machine a client's timers lag, it reuses a
 * socket the server is closing at that moment, and a request fails with
 * ECONNRESET: seen under `pnpm test:loaded` in a 1,000-request storm and on a
 * token call. `server.close()` still ends idle sockets at once.
 */
export function keepIdleSockets<T extends { keepAliveTimeout: number; headersTimeout: number }>(server: T): T {
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  return server;
}
