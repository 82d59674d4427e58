import { metrics, trace } from "@opentelemetry/api";
import { createMemoryStore, createSessionManager } from "@sessionstore/core";
import { afterEach, describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { PlatformClient, type PlatformClientOptions } from "../src/index.js";
import { makeClient, PASSWORD_AUTH, platform, testClock } from "./support/harness.js";
import { otelSdk, type Point, parentIdOf } from "./support/otel.js";

const sdks: ReturnType<typeof otelSdk>[] = [];
afterEach(async () => {
  trace.disable();
  metrics.disable();
  for (const sdk of sdks.splice(0)) await sdk.shutdown();
});

function sdk() {
  const made = otelSdk();
  sdks.push(made);
  return made;
}

/** A signed-in client whose session the injected clock then expires. */
async function expiredSession(options: Partial<PlatformClientOptions> = {}) {
  const server = await platform();
  const otel = sdk();
  const clock = testClock();
  const manager = createSessionManager(createMemoryStore());
  const client = makeClient(server, {
    sessionStore: manager,
    now: clock.now,
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
    ...options,
  });
  await client.authenticateWithCredentials("demo", "demo-password");
  clock.advance(3_600_000);
  server.resetStats();
  const before = await manager.get("password");
  return { server, otel, clock, manager, client, before };
}

function find(points: Map<string, Point[]>, name: string, attributes: Record<string, unknown>): Point[] {
  return (points.get(name) ?? []).filter((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  );
}

describe("traces and metrics, with the real OpenTelemetry SDK", () => {
  it("a storm of 100 requests on an expired token: exactly one refresh span, with one token-call child", async () => {
    const { server, otel, client } = await expiredSession();
    const signInSpans = otel.spans().length;

    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => client.request("GET", `/items/${i}`)));
    expect(answers).toHaveLength(100);
    expect(server.stats.tokenCalls).toBe(1);

    const refreshes = otel.named("sessionstore.refresh");
    expect(refreshes).toHaveLength(1);
    const [refresh] = refreshes;
    expect(refresh?.attributes).toMatchObject({
      "sessionstore.refresh.trigger": "expiring",
      "sessionstore.refresh.result": "performed",
    });
    expect(refresh?.attributes["sessionstore.lock.wait_ms"]).toBeTypeOf("number");
    expect(refresh?.status.code).toBe(0);
    const tokenCalls = otel
      .spans()
      .slice(signInSpans)
      .filter((span) => span.name === "sessionstore.token_request");
    expect(tokenCalls).toHaveLength(1);
    expect(parentIdOf(tokenCalls[0]!)).toBe(refresh?.spanContext().spanId);
    expect(tokenCalls[0]?.attributes).toMatchObject({
      "sessionstore.grant_type": "refresh_token",
      "http.response.status_code": 200,
    });
    expect(tokenCalls[0]?.kind).toBe(2); // SpanKind.CLIENT
    // Under the refresh: the lock, the re-read and the write of the new pair.
    const children = otel.spans().filter((span) => parentIdOf(span) === refresh?.spanContext().spanId);
    expect(children.map((span) => span.name).sort()).toEqual([
      "sessionstore.store.lock",
      "sessionstore.store.read",
      "sessionstore.store.write",
      "sessionstore.token_request",
    ]);
    expect(children.find((span) => span.name === "sessionstore.store.write")?.attributes).toMatchObject({
      "sessionstore.store.kind": "memory",
      "sessionstore.store.operation": "write",
    });
    expect(refresh?.instrumentationScope).toMatchObject({ name: "@sessionstore/client", version: packageJson.version });

    const points = await otel.metrics();
    expect(find(points, "sessionstore.token.calls", { "sessionstore.grant_type": "refresh_token" })).toEqual([
      expect.objectContaining({ value: 1, attributes: expect.objectContaining({ "sessionstore.outcome": "success" }) }),
    ]);
    expect(find(points, "sessionstore.token.calls", { "sessionstore.grant_type": "password" })[0]?.value).toBe(1);
    expect(find(points, "sessionstore.refreshes", {})).toEqual([
      {
        attributes: { "sessionstore.refresh.trigger": "expiring", "sessionstore.refresh.result": "performed" },
        value: 1,
      },
    ]);
    const lockWaits = find(points, "sessionstore.lock.wait.duration", { "sessionstore.outcome": "success" });
    expect(lockWaits[0]?.count).toBe(1);
    const writes = find(points, "sessionstore.store.operation.duration", {
      "sessionstore.store.kind": "memory",
      "sessionstore.store.operation": "write",
    });
    expect(writes[0]?.count).toBe(2); // the sign-in and the refresh
  });

  it("a refresh answered 503: an error span carrying ERR_SERVER, and the session kept", async () => {
    const { server, otel, client, manager, before } = await expiredSession();
    server.injectFault({ kind: "status", status: 503, grant: "refresh_token" });

    await expect(client.request("GET", "/items/1")).rejects.toMatchObject({ code: "ERR_SERVER" });
    expect(await manager.get("password")).toEqual(before);

    const [refresh] = otel.named("sessionstore.refresh");
    expect(refresh?.status).toEqual({ code: 2, message: "ERR_SERVER" });
    expect(refresh?.attributes).toMatchObject({ "sessionstore.refresh.result": "failed", "error.type": "ERR_SERVER" });
    expect(refresh?.events.find((event) => event.name === "exception")?.attributes).toMatchObject({
      "exception.type": "ERR_SERVER",
    });
    const token = otel
      .named("sessionstore.token_request")
      .find((span) => parentIdOf(span) === refresh?.spanContext().spanId);
    expect(token?.attributes).toMatchObject({
      "sessionstore.grant_type": "refresh_token",
      "http.response.status_code": 503,
      "error.type": "ERR_SERVER",
    });
    expect(token?.status.code).toBe(2);
    const points = await otel.metrics();
    expect(
      find(points, "sessionstore.token.calls", {
        "sessionstore.grant_type": "refresh_token",
        "sessionstore.outcome": "failure",
      })[0]?.value,
    ).toBe(1);
    expect(find(points, "sessionstore.refreshes", { "sessionstore.refresh.result": "failed" })[0]?.value).toBe(1);
    expect(find(points, "sessionstore.sessions.cleared", {})).toEqual([]);

    // The next call retries and succeeds: a second refresh span, performed.
    await expect(client.request("GET", "/items/2")).resolves.toMatchObject({ item_id: "2" });
    expect(otel.named("sessionstore.refresh").map((span) => span.attributes["sessionstore.refresh.result"])).toEqual([
      "failed",
      "performed",
    ]);
  });

  it("a 401 refresh, invalid_grant, logout with revocation: triggers, cleared reasons, revoke and logout spans", async () => {
    const { server, otel, client, clock } = await expiredSession();
    clock.advance(-3_600_000);
    server.expireAccessTokens();
    await client.request("GET", "/items/1");
    const [refresh] = otel.named("sessionstore.refresh");
    expect(refresh?.attributes["sessionstore.refresh.trigger"]).toBe("unauthorized");

    server.revokeAllRefreshTokens();
    server.expireAccessTokens();
    await expect(client.request("GET", "/items/2")).rejects.toMatchObject({ code: "ERR_SESSION_EXPIRED" });
    const failed = otel.named("sessionstore.refresh")[1];
    expect(failed?.status).toEqual({ code: 2, message: "ERR_SESSION_EXPIRED" });
    expect(otel.named("sessionstore.store.delete")).toHaveLength(1);

    const revoking = new PlatformClient(PASSWORD_AUTH, {
      apiURL: server.url,
      revokeURL: server.revokeURL,
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });
    await revoking.authenticateWithCredentials("demo", "demo-password");
    await expect(revoking.logout()).resolves.toEqual({ revoked: true });
    const [logout] = otel.named("sessionstore.logout");
    expect(logout?.attributes).toEqual({ "sessionstore.revoked": true });
    const [revoke] = otel.named("sessionstore.revoke");
    expect(parentIdOf(revoke!)).toBe(logout?.spanContext().spanId);
    expect(revoke?.attributes).toEqual({ "sessionstore.revoke.tokens": 2 });

    const points = await otel.metrics();
    const cleared = find(points, "sessionstore.sessions.cleared", {});
    expect(cleared.map((point) => [point.attributes["sessionstore.clear.reason"], point.value]).sort()).toEqual([
      ["invalid_grant", 1],
      ["logout", 1],
    ]);
    expect(
      find(points, "sessionstore.refreshes", { "sessionstore.refresh.trigger": "unauthorized" })
        .map((point) => [point.attributes["sessionstore.refresh.result"], point.value])
        .sort(),
    ).toEqual([
      ["failed", 1],
      ["performed", 1],
    ]);
  });

  it("with no provider passed, uses the global ones under the package's name and version", async () => {
    const otel = sdk();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    const server = await platform();
    const client = makeClient(server);
    await client.authenticateWithCredentials("demo", "demo-password");
    const [token] = otel.named("sessionstore.token_request");
    expect(token?.instrumentationScope).toMatchObject({ name: "@sessionstore/client", version: packageJson.version });
    expect(token?.attributes).toMatchObject({
      "sessionstore.grant_type": "password",
      "http.response.status_code": 200,
    });
    const points = await otel.metrics();
    expect(find(points, "sessionstore.token.calls", { "sessionstore.grant_type": "password" })[0]?.value).toBe(1);
  });

  it("refuses a tracerProvider, meterProvider or logger that is not one, naming the option", () => {
    for (const [field, value] of [
      ["tracerProvider", {}],
      ["meterProvider", { getTracer() {} }],
      ["logger", { info() {} }],
    ] as const) {
      expect(() => new PlatformClient(PASSWORD_AUTH, { apiURL: "http://localhost", [field]: value })).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: `options.${field}` }),
      );
    }
  });
});
