import { connect, createServer, type Socket } from "node:net";

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

/** A TCP proxy in front of a server, whose connections a test can cut (see {@link tcpProxy}). */
export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Destroys every connection through it and refuses new ones until {@link heal}: a network blip, the server still up. */
  cut(): void;
  /** Accepts connections again (the clients' own reconnects come through). */
  heal(): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Forwards its own port on 127.0.0.1 to `targetPort`, to cut the connections of one
 * store instance while others reach the server directly: what a dropped
 * connection does to a watch, without stopping the server for everyone.
 */
export async function tcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // A cut resets the pair; the other side's error is expected.
    socket.on("error", () => undefined);
  };
  const server = createServer((incoming) => {
    track(incoming);
    if (refusing) {
      incoming.destroy();
      return;
    }
    const outgoing = connect(targetPort, targetHost);
    track(outgoing);
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
    incoming.on("close", () => outgoing.destroy());
    outgoing.on("close", () => incoming.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    cut() {
      refusing = true;
      destroyAll();
    },
    heal() {
      refusing = false;
    },
    async close() {
      refusing = true;
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
