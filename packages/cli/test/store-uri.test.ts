import { parseStoreUri } from "@sessionstore/cli";
import { describe, expect, it } from "vitest";

const CWD = "/srv/app";

function failure(uri: string): string {
  try {
    parseStoreUri(uri, CWD);
  } catch (error) {
    expect(error).toMatchObject({ name: "SessionStoreError", code: "ERR_INVALID_ARGUMENT", field: "store" });
    return (error as Error).message;
  }
  throw new Error(`expected ${uri} to be rejected`);
}

describe("parseStoreUri: sqlite", () => {
  it.each([
    ["sqlite:./sessions.db", "/srv/app/sessions.db"],
    ["sqlite:sessions.db", "/srv/app/sessions.db"],
    ["sqlite:../data/s.sqlite", "/srv/data/s.sqlite"],
    ["sqlite:/var/lib/s.db", "/var/lib/s.db"],
    ["sqlite://data/s.db", "/srv/app/data/s.db"],
    ["sqlite:///var/lib/s.db", "/var/lib/s.db"],
    ["SQLITE:./x.db", "/srv/app/x.db"],
  ])("%s is %s", (uri, path) => {
    expect(parseStoreUri(uri, CWD)).toEqual({ kind: "sqlite", path, display: `sqlite:${path}` });
  });

  it("takes the records table from ?table=", () => {
    expect(parseStoreUri("sqlite:./s.db?table=app_sessions", CWD)).toEqual({
      kind: "sqlite",
      path: "/srv/app/s.db",
      table: "app_sessions",
      display: "sqlite:/srv/app/s.db?table=app_sessions",
    });
  });

  it("names what is wrong", () => {
    expect(failure("sqlite:")).toContain('"sqlite:" needs a database path');
    expect(failure("sqlite::memory:")).toContain("in-memory SQLite database holds no sessions");
    expect(failure("sqlite:./x.db?mode=ro")).toContain('unsupported query parameter "mode"');
    expect(failure("sqlite:./x.db?table=drop;")).toContain("?table= must be");
    expect(failure("sqlite:./x.db#x")).toContain("fragment");
  });
});

describe("parseStoreUri: file", () => {
  it.each([
    ["file:./sessions.json", "/srv/app/sessions.json"],
    ["file:sessions.json", "/srv/app/sessions.json"],
    ["file:/tmp/s.json", "/tmp/s.json"],
    ["file:///tmp/s%20x.json", "/tmp/s x.json"],
  ])("%s is %s", (uri, path) => {
    expect(parseStoreUri(uri, CWD)).toEqual({ kind: "file", path, display: `file:${path}` });
  });

  it("names what is wrong", () => {
    expect(failure("file:")).toContain('"file:" needs a path');
    expect(failure("file://relative/s.json")).toContain("is not an absolute file URL");
  });
});

describe("parseStoreUri: redis", () => {
  it("reads host, port, database and TLS", () => {
    expect(parseStoreUri("redis://127.0.0.1:6379", CWD)).toMatchObject({
      kind: "redis",
      host: "127.0.0.1",
      port: 6379,
      database: 0,
      tls: false,
      display: "redis://127.0.0.1:6379",
      secrets: [],
    });
    expect(parseStoreUri("redis://cache", CWD)).toMatchObject({ port: 6379, database: 0 });
    expect(parseStoreUri("rediss://cache.example:6380/3", CWD)).toMatchObject({ port: 6380, database: 3, tls: true });
    expect(parseStoreUri("redis://[::1]:7000/", CWD)).toMatchObject({ host: "[::1]", port: 7000, database: 0 });
    const prefixed = parseStoreUri("redis://cache:6379/1?prefix=my-app", CWD);
    expect(prefixed).toMatchObject({ keyPrefix: "my-app", url: "redis://cache:6379/1" });
    expect(prefixed).not.toHaveProperty("warnings");
    // The old spelling still works, with a deprecation warning for the CLI to print.
    const legacy = parseStoreUri("redis://cache:6379/1?namespace=my-app", CWD);
    expect(legacy).toMatchObject({ keyPrefix: "my-app", warnings: [expect.stringContaining("now ?prefix=")] });
  });

  it("keeps the password out of display, and remembers it to mask in messages", () => {
    const uri = parseStoreUri("redis://user:s3cr%40t@cache:6379/2", CWD);
    expect(uri.display).toBe("redis://user:****@cache:6379/2");
    expect(uri.kind === "redis" && uri.url).toBe("redis://user:s3cr%40t@cache:6379/2");
    expect(uri.kind === "redis" && uri.secrets).toEqual(["s3cr%40t", "s3cr@t"]);
  });

  it("names what is wrong, never echoing the password", () => {
    expect(failure("redis://")).toContain("names no host");
    expect(failure("redis://:pw@")).not.toContain("pw");
    expect(failure("redis://cache:99999")).toContain("not a valid URL");
    expect(failure("redis://:hunter2@cache:6379/abc")).toContain("must be a database number");
    expect(failure("redis://:hunter2@cache:6379/abc")).not.toContain("hunter2");
    expect(failure("redis://cache:6379?tls=1")).toContain('unsupported query parameter "tls"');
    expect(failure("redis://cache:6379?namespace=a*b")).toContain("?namespace=");
    expect(failure("redis://cache:6379?prefix=a*b")).toContain("?prefix=");
    expect(failure("redis://cache:6379?prefix=a&namespace=b")).toContain("give ?prefix= only");
    expect(failure("redis://cache:6379#x")).toContain("fragment");
    expect(failure("redis://cache:0")).toContain("port 0");
    expect(failure("redis://:hunter2@cache:port")).not.toContain("hunter2");
  });
});

describe("parseStoreUri: anything else", () => {
  it("suggests a scheme for a bare path and lists the supported ones", () => {
    expect(failure("./sessions.json")).toContain("did you mean file:./sessions.json?");
    expect(failure("data/s.db")).toContain("did you mean sqlite:data/s.db?");
    expect(failure("postgres://localhost/db")).toContain('unsupported scheme "postgres:"');
    expect(failure("")).toContain("it is empty");
    expect(failure("   ")).toContain("it is empty");
  });
});
