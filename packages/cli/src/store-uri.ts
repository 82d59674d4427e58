import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { assertNamespace, SessionStoreError } from "@sessionstore/core";

/** A SQLite database file, opened with `@sessionstore/sqlite`. */
export interface SqliteStoreUri {
  readonly kind: "sqlite";
  /** Absolute path of the database file. */
  readonly path: string;
  /** The records table (`SqliteStoreOptions.table`), from `?table=`. @default "sessions" */
  readonly table?: string;
  /** The URI as it may be printed. */
  readonly display: string;
}

/** A JSON file, opened with `@sessionstore/file`. */
export interface FileStoreUri {
  readonly kind: "file";
  /** Absolute path of the JSON file. */
  readonly path: string;
  /** The URI as it may be printed. */
  readonly display: string;
}

/** A Redis server, opened with `@sessionstore/redis`. */
export interface RedisStoreUri {
  readonly kind: "redis";
  /** The URL as given, credentials included: pass it to the client, never print it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Logical database number (`/2` in the URL). @default 0 */
  readonly database: number;
  /** `rediss://`: TLS. */
  readonly tls: boolean;
  /**
   * The Redis store's own key prefix (`RedisStoreOptions.keyPrefix`), from
   * `?prefix=` in the URL (`?namespace=` is its deprecated spelling); not the
   * session namespace (`--namespace`).
   * @default "sessionstore"
   */
  readonly keyPrefix?: string;
  /** Deprecations the URI uses (`?namespace=`), for the CLI to warn about. */
  readonly warnings?: readonly string[];
  /** The URL with its password masked, safe to print. */
  readonly display: string;
  /** Secrets found in the URL (the password), masked in everything the CLI prints. */
  readonly secrets: readonly string[];
  /**
   * Redis Cluster root nodes (`redis+cluster://host:port,host:port`), as
   * `redis://[user:password@]host:port` URLs for `RedisStoreOptions.nodes`;
   * absent for a single server. `host`/`port` are then the first node's.
   */
  readonly nodes?: readonly string[];
}

/** Where sessions live, as parsed from a `--store` URI by {@link parseStoreUri}. */
export type StoreUri = SqliteStoreUri | FileStoreUri | RedisStoreUri;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const SUPPORTED = "sqlite:./sessions.db, file:./sessions.json, redis://host:port[/db] or rediss://host:port[/db]";

function badUri(why: string): SessionStoreError {
  return new SessionStoreError("ERR_INVALID_ARGUMENT", `bad --store URI: ${why}`, { field: "store" });
}

/**
 * Parses a `--store` URI. Relative paths are resolved against `cwd`.
 *
 * - `sqlite:<path>`, `sqlite://<path>` (keyv's spelling) or `sqlite:///abs/path`, optionally `?table=<name>`
 * - `file:<path>` or a real file URL `file:///abs/path`
 * - `redis://[user:password@]host[:port][/db][?prefix=<key prefix>]`, `rediss://…` for TLS
 * - `redis+cluster://[user:password@]host:port,host:port[?prefix=<key prefix>]` (`rediss+cluster://` for TLS):
 *   Redis Cluster root nodes, one or more; the rest of the topology is discovered
 *
 * @throws `ERR_INVALID_ARGUMENT` (field `store`) naming what is wrong. The
 *   message never contains the URI's password.
 */
export function parseStoreUri(uri: string, cwd: string = process.cwd()): StoreUri {
  if (typeof uri !== "string" || uri.trim() === "") throw badUri(`it is empty; use ${SUPPORTED}`);
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const guess = /\.json$/i.test(uri) ? `file:${uri}` : /\.(db|sqlite3?)$/i.test(uri) ? `sqlite:${uri}` : undefined;
    throw badUri(`"${uri}" has no scheme${guess ? ` (did you mean ${guess}?)` : ""}; use ${SUPPORTED}`);
  }
  switch (scheme) {
    case "sqlite":
      return parseSqlite(uri, cwd);
    case "file":
      return parseFile(uri, cwd);
    case "redis":
    case "rediss":
      return parseRedis(uri, scheme === "rediss");
    case "redis+cluster":
    case "rediss+cluster":
      return parseRedisCluster(uri, scheme === "rediss+cluster");
    default:
      throw badUri(`unsupported scheme "${scheme}:"; use ${SUPPORTED}`);
  }
}

const SQLITE_TABLE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

function parseSqlite(uri: string, cwd: string): SqliteStoreUri {
  // keyv writes `sqlite://path/to/db.sqlite` for a relative path; accept it as well.
  const rest = uri.slice("sqlite:".length);
  const [pathPart = "", query] = splitOnce(rest.startsWith("//") ? rest.slice(2) : rest, "?");
  if (pathPart === "") throw badUri('"sqlite:" needs a database path, e.g. sqlite:./sessions.db');
  if (pathPart === ":memory:")
    throw badUri("an in-memory SQLite database holds no sessions to inspect; give a file path");
  if (pathPart.includes("#")) throw badUri(`"${uri}" has a fragment (#…); sqlite: takes a file path`);
  let table: string | undefined;
  if (query !== undefined) {
    const params = new URLSearchParams(query);
    const unknown = [...params.keys()].filter((name) => name !== "table");
    if (unknown.length > 0) throw badUri(`"${uri}" has unsupported query parameter "${unknown[0]}" (only ?table=)`);
    table = params.get("table") ?? undefined;
    if (table !== undefined && !SQLITE_TABLE.test(table)) {
      throw badUri(`"${uri}": ?table= must be a letter, then up to 62 letters, digits or underscores`);
    }
  }
  const path = resolve(cwd, pathPart);
  return {
    kind: "sqlite",
    path,
    ...(table === undefined ? {} : { table }),
    display: `sqlite:${path}${table === undefined ? "" : `?table=${table}`}`,
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function parseFile(uri: string, cwd: string): FileStoreUri {
  const rest = uri.slice("file:".length);
  let path: string;
  if (rest.startsWith("//")) {
    try {
      path = fileURLToPath(uri);
    } catch {
      throw badUri(
        `"${uri}" is not an absolute file URL; write file:///absolute/path.json, or file:./relative.json for a relative path`,
      );
    }
  } else {
    if (rest === "") throw badUri('"file:" needs a path, e.g. file:./sessions.json');
    if (/[?#]/.test(rest)) throw badUri(`"${uri}" has query parameters or a fragment; file: takes a plain file path`);
    path = isAbsolute(rest) ? rest : resolve(cwd, rest);
  }
  return { kind: "file", path, display: `file:${path}` };
}

function parseRedis(uri: string, tls: boolean): RedisStoreUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badUri(`"${maskPasswordLoosely(uri)}" is not a valid URL; expected redis://host:port[/db]`);
  }
  const secrets = url.password === "" ? [] : [url.password, decodeURIComponentSafe(url.password)];
  const display = maskedRedisUrl(url);
  if (url.hostname === "") throw badUri(`"${display}" names no host; expected redis://host:port[/db]`);
  if (url.hash !== "") throw badUri(`"${display}" has a fragment (#…), which is not supported`);
  const unknown = [...url.searchParams.keys()].filter((name) => name !== "prefix" && name !== "namespace");
  if (unknown.length > 0) {
    throw badUri(`"${display}" has unsupported query parameter "${unknown[0]}" (only ?prefix=<redis key prefix>)`);
  }
  const prefix = url.searchParams.get("prefix") ?? undefined;
  const legacy = url.searchParams.get("namespace") ?? undefined;
  if (prefix !== undefined && legacy !== undefined) {
    throw badUri(`"${display}": give ?prefix= only (?namespace= is its old name)`);
  }
  const keyPrefix = prefix ?? legacy;
  const parameter = prefix === undefined ? "namespace" : "prefix";
  if (keyPrefix !== undefined) {
    try {
      assertNamespace(keyPrefix);
    } catch (error) {
      throw badUri(`"${display}": ?${parameter}= ${(error as Error).message.replace(/^namespace /, "")}`);
    }
  }
  const warnings =
    legacy === undefined
      ? []
      : [
          "?namespace= in a redis:// URI is deprecated: it is the Redis key prefix, now ?prefix= " +
            "(the session namespace is --namespace)",
        ];
  url.search = "";
  const dbText = url.pathname.replace(/^\//, "");
  if (dbText !== "" && !/^\d{1,5}$/.test(dbText)) {
    throw badUri(`"${display}": the path must be a database number (redis://host:6379/2), got "/${dbText}"`);
  }
  const port = url.port === "" ? 6379 : Number(url.port);
  if (port === 0) throw badUri(`"${display}": port 0 is not a port`);
  return {
    kind: "redis",
    url: url.href,
    host: url.hostname,
    port,
    database: dbText === "" ? 0 : Number(dbText),
    tls,
    display,
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
    ...(warnings.length === 0 ? {} : { warnings }),
    secrets: [...new Set(secrets)],
  };
}

/**
 * A cluster URI is the single-server form with a comma-separated host list:
 * each host is checked by parsing the single-server URI it stands for.
 */
function parseRedisCluster(uri: string, tls: boolean): RedisStoreUri {
  const single = tls ? "rediss" : "redis";
  const match = /^[^:]+:\/\/(?:([^@/?#]*)@)?([^/?#]*)(.*)$/.exec(uri);
  const hosts = (match?.[2] ?? "").split(",");
  if (!match || hosts.some((host) => host.trim() === "")) {
    throw badUri(
      `"${maskPasswordLoosely(uri)}" is not a cluster URI; expected ${single}+cluster://host:port,host:port`,
    );
  }
  const credentials = match[1] === undefined ? "" : `${match[1]}@`;
  const rest = match[3] ?? "";
  const nodes = hosts.map((host) => parseRedis(`${single}://${credentials}${host.trim()}${rest}`, tls));
  const first = nodes[0] as RedisStoreUri;
  if (first.database !== 0) {
    throw badUri(`"${maskPasswordLoosely(uri)}": Redis Cluster has only database 0`);
  }
  // The password never shows: `user:****@` (the user name is not a secret).
  const shownCredentials = match[1] === undefined ? "" : `${match[1].replace(/:.*$/, ":****")}@`;
  const query = first.keyPrefix === undefined ? "" : `?prefix=${first.keyPrefix}`;
  const hostList = nodes.map((node) => `${node.host}:${node.port}`).join(",");
  return {
    ...first,
    display: `${single}+cluster://${shownCredentials}${hostList}${query}`,
    nodes: nodes.map((node) => `${single}://${credentials}${node.host}:${node.port}`),
  };
}

function maskedRedisUrl(url: URL): string {
  if (url.password === "") return url.href;
  const copy = new URL(url.href);
  copy.password = "****";
  return copy.href;
}

// When the URL does not even parse, still keep a password-looking part out of the message.
function maskPasswordLoosely(uri: string): string {
  return uri.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, "$1****@");
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
