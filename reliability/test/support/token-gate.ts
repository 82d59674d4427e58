import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { keepIdleSockets } from "@sessionstore/testkit/support";

/**
 * A real HTTP front for a platform whose token endpoint is as slow as the test
 * wants: every request is passed on to `target`, except that token calls wait
 * at the gate until {@link TokenGate.open} (the test knows the refresh is in
 * flight, holding its lock, by {@link TokenGate.arrived}).
 */
export interface TokenGate {
  /** Give this as `apiURL`: the token URL is `<url>/oauth/token`. */
  readonly url: string;
  /** Resolves when a token call reached the gate (the caller holds the refresh lock by then). */
  arrived(): Promise<void>;
  /** Lets held and later token calls through. */
  open(): void;
  /** Holds token calls again. */
  shut(): void;
  close(): Promise<void>;
}

export async function startTokenGate(target: string): Promise<TokenGate> {
  let isOpen = false;
  let waiting: Array<() => void> = [];
  let arrivals: Array<() => void> = [];
  let arrivedCount = 0;
  let seenCount = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = request(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    upstream.end(body);
  };
  const server = keepIdleSockets(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const isToken = new URL(req.url ?? "/", "http://gate").pathname === "/oauth/token";
        if (!isToken || isOpen) return forward(req, res, body);
        arrivedCount += 1;
        for (const notify of arrivals.splice(0)) notify();
        waiting.push(() => forward(req, res, body));
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrived() {
      // Each call waits for the next arrival not yet awaited.
      if (arrivedCount > seenCount) {
        seenCount += 1;
        return Promise.resolve();
      }
      return new Promise((resolve) =>
        arrivals.push(() => {
          seenCount += 1;
          resolve();
        }),
      );
    },
    open() {
      isOpen = true;
      const held = waiting;
      waiting = [];
      for (const pass of held) pass();
    },
    shut() {
      isOpen = false;
    },
    async close() {
      isOpen = true;
      waiting = [];
      arrivals = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
