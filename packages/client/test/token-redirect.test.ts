import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { PlatformClient } from "../src/index.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function listen(
  handler: (request: IncomingMessage, respond: (status: number, headers?: Record<string, string>) => void) => void,
): Promise<string> {
  const server = createServer((request, response) =>
    handler(request, (status, headers = {}) => response.writeHead(status, headers).end()),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it("a token endpoint that redirects is an error, and the credentials never reach the redirect target", async () => {
  const reachedTarget: string[] = [];
  const target = await listen((request, respond) => {
    reachedTarget.push(`${request.method} ${request.url}`);
    respond(200);
  });
  const api = await listen((_request, respond) => respond(307, { location: `${target}/oauth/token` }));
  const client = new PlatformClient(
    { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" },
    { apiURL: api },
  );
  await expect(client.authenticateWithCredentials("demo", "demo-password")).rejects.toMatchObject({
    code: "ERR_TOKEN_REQUEST",
    status: 307,
  });
  expect(reachedTarget).toEqual([]);
});
