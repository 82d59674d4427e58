// Property: whatever a hostile OAuth server echoes of what the client sent it
// (client secret in a Basic header or the form, password, refresh token, the
// access token of an API call), in whichever encoding, no part of it reaches
// the PlatformApiError: message, body, oauthError, cause chain, util.inspect,
// JSON.stringify. Real node:http server, real fetch.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PlatformClient } from "@sessionstore/client";
import { createMemoryStore } from "@sessionstore/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ECHOES,
  echoNameArb,
  headerSecretArb,
  leaksOf,
  type Secret,
  secretArb,
  tokenSecretArb,
} from "./support/secrets.js";

/** What the server saw of one request, decoded. */
interface Seen {
  readonly authorization: string;
  /** Basic's client secret, or the bearer token. */
  readonly credential: string;
  readonly form: URLSearchParams;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

type Script = (path: string, seen: Seen) => Answer;

let server: Server;
let baseURL: string;
let script: Script = () => ({ status: 500, contentType: "text/plain", body: "no script" });

function decodeCredential(authorization: string): string {
  const [scheme = "", value = ""] = authorization.split(/\s+(.*)/s);
  if (scheme.toLowerCase() !== "basic") return value;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  return decodeURIComponent(decoded.slice(decoded.indexOf(":") + 1).replace(/\+/g, " "));
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    readText(req).then((text) => {
      const authorization = req.headers.authorization ?? "";
      const seen = { authorization, credential: decodeCredential(authorization), form: new URLSearchParams(text) };
      const answer = script(new URL(req.url ?? "/", "http://x").pathname, seen);
      res.writeHead(answer.status, { "content-type": answer.contentType });
      res.end(answer.body);
    }, res.destroy.bind(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** An error body echoing `echoed` (already encoded), as JSON or as plain text. */
function echoAnswer(status: number, error: string, echoed: string, asJson: boolean): Answer {
  const description = `echo: ${echoed}`;
  return asJson
    ? {
        status,
        contentType: "application/json",
        // Written by hand so the echo keeps the encoding chosen (JSON.stringify would escape it again);
        // a raw echo of `"` or `\` makes the body invalid JSON, as a sloppy server's would be.
        body: `{"error":"${error}","error_description":"${description}","debug":{"echo":"${echoed}"}}`,
      }
    : { status, contentType: "text/plain", body: `${error}: ${description}` };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

const runs = { numRuns: 25, endOnFailure: true } as const;

describe("token endpoint echoes", () => {
  it("client_secret_basic / client_secret_post: the client secret and the password never reach the error", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        secretArb,
        echoNameArb,
        fc.boolean(),
        fc.constantFrom("client_secret_basic", "client_secret_post") as fc.Arbitrary<
          "client_secret_basic" | "client_secret_post"
        >,
        fc.constantFrom(400, 401, 500),
        async (clientSecret: Secret, password: Secret, echo, asJson, method, status) => {
          const encode = ECHOES[echo]!;
          script = (_path, seen) => {
            const secretSent = method === "client_secret_basic" ? seen.credential : seen.form.get("client_secret");
            const echoed = `client secret ${encode(secretSent ?? "")} does not match; header ${seen.authorization}; password ${encode(seen.form.get("password") ?? "")}`;
            return echoAnswer(status, "invalid_client", echoed, asJson);
          };
          const client = new PlatformClient(
            { authType: "password", clientId: "cid", clientSecret: clientSecret.value },
            { apiURL: baseURL, sessionStore: createMemoryStore(), clientAuthMethod: method, tokenTimeoutMs: 10_000 },
          );
          try {
            const error = await failureOf(client.authenticateWithCredentials("user", password.value));
            expect((error as { code?: string }).code).toMatch(/^ERR_(TOKEN_REQUEST|SERVER)$/);
            expect(leaksOf([clientSecret, password], [error])).toEqual([]);
          } finally {
            client.close();
          }
        },
      ),
      runs,
    );
  });
});

describe("authorization code exchange echoes", () => {
  it("the code and the PKCE verifier never reach the error", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        secretArb,
        echoNameArb,
        fc.boolean(),
        async (code: Secret, verifier: Secret, echo, asJson) => {
          const encode = ECHOES[echo]!;
          script = (_path, seen) =>
            echoAnswer(
              400,
              "invalid_grant",
              `code ${encode(seen.form.get("code") ?? "")} with verifier ${encode(seen.form.get("code_verifier") ?? "")} refused`,
              asJson,
            );
          const client = new PlatformClient(
            { authType: "server", clientId: "cid", clientSecret: "client-secret-value" },
            { apiURL: baseURL, sessionStore: createMemoryStore(), tokenTimeoutMs: 10_000 },
          );
          try {
            const error = await failureOf(
              client.getAccessToken(code.value, "https://app.example/cb", { codeVerifier: verifier.value }),
            );
            expect((error as { code?: string }).code).toBe("ERR_TOKEN_REQUEST");
            expect(leaksOf([code, verifier], [error])).toEqual([]);
          } finally {
            client.close();
          }
        },
      ),
      runs,
    );
  });
});

describe("API error bodies", () => {
  it("the access token sent in the Authorization header never reaches the error (403, 5xx, plain text)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Mostly tokens a platform may issue; a token the client's token-response rule refuses
        // (a newline, a space, non-ASCII) is refused at sign-in, and that refusal must not leak it either.
        fc.oneof(tokenSecretArb, tokenSecretArb, headerSecretArb, secretArb),
        fc.oneof(tokenSecretArb, tokenSecretArb, secretArb),
        echoNameArb,
        fc.boolean(),
        fc.constantFrom(403, 404, 500),
        async (accessToken: Secret, refreshToken: Secret, echo, asJson, status) => {
          const encode = ECHOES[echo]!;
          script = (path, seen) => {
            if (path === "/oauth/token") {
              return {
                status: 200,
                contentType: "application/json",
                body: JSON.stringify({
                  access_token: accessToken.value,
                  refresh_token: refreshToken.value,
                  token_type: "bearer",
                  expires_in: 3600,
                }),
              };
            }
            return echoAnswer(status, "insufficient_scope", `token ${encode(seen.credential)} lacks scope`, asJson);
          };
          const client = new PlatformClient(
            { authType: "password", clientId: "cid", clientSecret: "client-secret-value" },
            { apiURL: baseURL, sessionStore: createMemoryStore(), timeoutMs: 10_000, tokenTimeoutMs: 10_000 },
          );
          try {
            const refused = await client.authenticateWithCredentials("user", "pass-word").then(
              () => undefined,
              (error: unknown) => error,
            );
            if (refused !== undefined) {
              expect(refused).toMatchObject({ code: "ERR_TOKEN_RESPONSE" });
              expect(leaksOf([accessToken, refreshToken], [refused])).toEqual([]);
              return;
            }
            const error = await failureOf(client.request("GET", "/items"));
            expect(leaksOf([accessToken, refreshToken], [error])).toEqual([]);
          } finally {
            client.close();
          }
        },
      ),
      runs,
    );
  });

  it("a refresh token echoed by a failing refresh never reaches the error", async () => {
    await fc.assert(
      fc.asyncProperty(
        tokenSecretArb,
        tokenSecretArb,
        echoNameArb,
        fc.constantFrom(400, 500),
        async (accessToken: Secret, refreshToken: Secret, echo, status) => {
          const encode = ECHOES[echo]!;
          let signedIn = false;
          script = (path, seen) => {
            if (path === "/oauth/token" && !signedIn) {
              signedIn = true;
              return {
                status: 200,
                contentType: "application/json",
                body: JSON.stringify({
                  access_token: accessToken.value,
                  refresh_token: refreshToken.value,
                  expires_in: 3600,
                }),
              };
            }
            if (path === "/oauth/token") {
              const error = status === 400 ? "invalid_grant" : "server_error";
              return echoAnswer(
                status,
                error,
                `refresh token ${encode(seen.form.get("refresh_token") ?? "")} refused`,
                true,
              );
            }
            return { status: 401, contentType: "application/json", body: '{"error":"invalid_token"}' };
          };
          const client = new PlatformClient(
            { authType: "password", clientId: "cid", clientSecret: "client-secret-value" },
            { apiURL: baseURL, sessionStore: createMemoryStore(), timeoutMs: 10_000, tokenTimeoutMs: 10_000 },
          );
          try {
            const refused = await client.authenticateWithCredentials("user", "pass-word").then(
              () => undefined,
              (error: unknown) => error,
            );
            if (refused !== undefined) {
              expect(refused).toMatchObject({ code: "ERR_TOKEN_RESPONSE" });
              expect(leaksOf([accessToken, refreshToken], [refused])).toEqual([]);
              return;
            }
            const error = await failureOf(client.request("GET", "/items"));
            expect(leaksOf([accessToken, refreshToken], [error])).toEqual([]);
          } finally {
            client.close();
          }
        },
      ),
      runs,
    );
  });
});
