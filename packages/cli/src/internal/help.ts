/** The text of `--help` and `help <command>`. */

/** The commands the CLI offers. */
export const COMMANDS = ["list", "show", "delete", "clear", "revoke-all"] as const;
/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

const STORE_OPTIONS = `Store options (every command):
  --store <uri>         where sessions live (or env SESSIONSTORE_STORE):
                          sqlite:./sessions.db           SQLite file (must exist)
                          sqlite:./s.db?table=name       … with another records table
                          file:./sessions.json           JSON file (must exist)
                          redis://host:6379[/db]         Redis; rediss:// for TLS
                          redis://:pass@host:6379        (prefer the env variable for
                                                         passwords: argv is visible to others)
                          redis://host:6379?prefix=x     the Redis store's key prefix
                                                         [default: sessionstore]
                          redis+cluster://h1:7000,h2:7001  Redis Cluster root nodes
  --namespace <name>    session namespace, the first part of every session key
                        (or env SESSIONSTORE_NAMESPACE) [default: sessionstore]
  --timeout <ms>        give up on an unresponsive store after this long [default: 5000]
  --key-env <VAR>       read records encrypted with withEncryption: VAR is the name of an
                        environment variable holding the base64 key (for every key id);
                        kid=VAR for one key id; repeat for several keys
  --json                machine-readable output on stdout (errors as JSON on stderr)
  -h, --help            this help
  -v, --version         print the version (sessionstore --version)`;

const EXIT_STATUS = `Exit status:
  0  success
  1  usage error (bad option, bad --store URI, clear without --yes, ambiguous session)
  2  store unavailable (missing file, connection refused, timeout) or unsupported
  3  no such session (show, delete)
  4  a record could not be read (corrupt, or encrypted)
  5  unexpected internal error
  6  revoke-all: some sessions could not be revoked (they stay in the store)`;

const GENERAL = `Usage: sessionstore <command> --store <uri> [options]

Inspect and remove the OAuth sessions an app keeps with sessionstore.
Token values are never printed unless you pass --reveal.

Commands:
  list      list sessions: subject, auth type, access/refresh token expiry
  show      print one session's metadata (token values only with --reveal)
  delete    delete one session (log one subject out of one auth type)
  clear     delete every session in the namespace (needs --yes)
  revoke-all  revoke every session at the platform (RFC 7009), then delete it
  help      help for a command: sessionstore help list

${STORE_OPTIONS}

${EXIT_STATUS}

Examples:
  sessionstore list --store sqlite:./sessions.db
  sessionstore show --store file:./sessions.json --subject alice --auth-type password
  SESSIONSTORE_STORE=redis://127.0.0.1:6379 sessionstore list --json
  sessionstore clear --store redis://127.0.0.1:6379/2 --namespace my-app --yes`;

const COMMAND_HELP: Record<CommandName, string> = {
  list: `Usage: sessionstore list --store <uri> [--subject <id>] [--auth-type <type>] [--reveal] [--json]

Lists every session in the namespace: subject, auth type, when the access token
expires (relative and absolute, UTC), whether a refresh token is held, and when
the session was last written. Records that cannot be read are listed as such.
Without --namespace (or SESSIONSTORE_NAMESPACE), lists every namespace that holds
sessions. list and show only read: a file store is opened read-only, so even a
corrupt file is reported and left where it is.

  --subject <id>        only this subject's sessions
  --auth-type <type>    only this auth type: server, client, password or app
  --reveal              also print token values (warns on stderr; think twice)

With --json, prints {"namespace", "store", "sessions": [{ key, subject, authType,
readable, expiresAt, expiresInSeconds, expired, refreshable, updatedAt }]}
(times are ISO 8601 UTC or null; with --reveal each entry gains "tokens").
When several namespaces are listed, "namespace" is null, "namespaces" names
them, and each session carries its "namespace".

${STORE_OPTIONS}

${EXIT_STATUS}`,
  show: `Usage: sessionstore show --store <uri> [--subject <id>] [--auth-type <type>] [--reveal] [--json]

Prints one session's metadata: key, expiry of the access and refresh tokens,
issue and update times, token type, scope, ref, config fingerprint, and the
names of the fields whose values are withheld.

  --subject <id>        whose session [default: default]
  --auth-type <type>    server, client, password or app; may be omitted when the
                        subject holds exactly one session
  --reveal              print the token values too (warns on stderr)

Exits 3 when there is no such session, 4 when its record cannot be read.

${STORE_OPTIONS}

${EXIT_STATUS}`,
  delete: `Usage: sessionstore delete --store <uri> [--subject <id>] [--auth-type <type>] [--json]

Deletes one session (the app must authenticate again). Unreadable records can
be deleted too.

  --subject <id>        whose session [default: default]
  --auth-type <type>    server, client, password or app; may be omitted when the
                        subject holds exactly one session

Exits 3 when there is no such session.

${STORE_OPTIONS}

${EXIT_STATUS}`,
  clear: `Usage: sessionstore clear --store <uri> --yes [--subject <id>] [--auth-type <type>] [--json]

Deletes every session in the namespace ("log everyone out"), or only those of
one subject and/or auth type. It never asks: without --yes it refuses (exit 1),
so a script cannot clear a store by accident. Run "list" first to see what goes.
Keys outside the namespace are never touched.

  --yes                 really delete
  --subject <id>        only this subject's sessions
  --auth-type <type>    only this auth type

${STORE_OPTIONS}

${EXIT_STATUS}`,
  "revoke-all": `Usage: sessionstore revoke-all --store <uri> --revoke-url <url> --client-id <id>
                              [--client-secret-env <VAR>] [--client-auth <method>]
                              [--concurrency <n>] [--json]

"Revoke for all users": revokes every session of the namespace at the
platform's RFC 7009 endpoint (the refresh token, or the access token when there
is none), retrying 5xx answers, then deletes each revoked session. Running apps
whose store reports changes (file, SQLite, Redis) drop the session at once.
Sessions the platform did not confirm stay in the store and are listed; run
again to retry them (exit 6). A progress bar is drawn on stderr when it is a
terminal.

  --revoke-url <url>         the platform's revocation endpoint
  --client-id <id>           the OAuth client id (or env SESSIONSTORE_CLIENT_ID)
  --client-secret-env <VAR>  NAME of the environment variable holding the client
                             secret (never put a secret on the command line)
  --client-auth <method>     client_secret_post or client_secret_basic
                             [default: client_secret_post]
  --concurrency <n>          revocations in flight at once, 1 to 64 [default: 8]

With --json, prints {"namespace", "store", "total", "revoked", "deleted",
"failed": [{ key, code, message }]}.

${STORE_OPTIONS}

${EXIT_STATUS}`,
};

/** Help for `topic`, or the general help. */
export function helpText(topic?: CommandName): string {
  return `${topic ? COMMAND_HELP[topic] : GENERAL}\n`;
}
