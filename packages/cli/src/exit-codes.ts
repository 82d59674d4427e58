/**
 * The exit status of every `sessionstore` command, so scripts can branch on
 * what went wrong without parsing messages. Stable across releases.
 */
export const EXIT_CODES = {
  /** The command did what was asked (`list` on an empty namespace is a success). */
  OK: 0,
  /** Bad command line: unknown command or option, bad store URI, bad namespace/subject/auth type, `clear` without `--yes`. */
  USAGE: 1,
  /** The store could not be opened or did not answer (missing file, closed port, timeout), or cannot do what was asked. */
  STORE_UNAVAILABLE: 2,
  /** `show` or `delete` found no session for the subject and auth type. */
  NOT_FOUND: 3,
  /** A stored record could not be read back (corrupt, or encrypted with a key the CLI does not have). */
  UNREADABLE_RECORD: 4,
  /** A bug: an unexpected failure. Please report it with the message. */
  INTERNAL: 5,
  /** `revoke-all`: some sessions could not be revoked at the platform (they stay in the store, listed in the output). */
  REVOKE_FAILED: 6,
} as const;

/** One of the values of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
