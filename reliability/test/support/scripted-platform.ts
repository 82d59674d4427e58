import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { keepIdleSockets } from "@sessionstore/testkit/support";

/** What the scripted token endpoint answers next. */
export interface ScriptedAnswer {
  readonly status: number;
  /** `undefined`: no content-type header at all. */
  readonly contentType: string | undefined;
  readonly text: string;
}

/**
 * A tiny HTTP server answering the token endpoint with whatever the test
 * queued (any status, any bytes, any content type), and a protected route
 * `GET /items/:id` that answers 200 to any bearer token. The fake platform
 * of @sessionstore/testkit only answers well-formed token responses.
 */
export interface ScriptedPlatform {
  readonly url: string;
  readonly tokenURL: string;
  /** Queues the next token answer. */
  answer(next: ScriptedAnswer): void;
  readonly stats: { tokenCalls: number; apiCalls: number };
  close(): Promise<void>;
}

export async function startScriptedPlatform(): Promise<ScriptedPlatform> {
  const queue: ScriptedAnswer[] = [];
  const stats = { tokenCalls: 0, apiCalls: 0 };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/oauth/token") {
        stats.tokenCalls += 1;
        const next = queue.shift() ?? { status: 500, contentType: "text/plain", text: "nothing queued" };
        res.writeHead(next.status, next.contentType === undefined ? {} : { "content-type": next.contentType });
        res.end(next.text);
        return;
      }
      const item = /^\/items\/([^/]+)$/.exec(path);
      if (item && req.method === "GET" && /^Bearer \S+$/.test(req.headers.authorization ?? "")) {
        stats.apiCalls += 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ item_id: item[1] }));
        return;
      }
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":"invalid_token"}');
    });
  };
  const server = keepIdleSockets(createServer(handle));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenURL: `${url}/oauth/token`,
    answer: (next) => queue.push(next),
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
