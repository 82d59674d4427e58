import { invalidOption } from "./adapter/option-checks.js";
import { type AuthType, isAuthType } from "./types.js";

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "sessionstore";
/** The subject used when none is given. */
export const DEFAULT_SUBJECT = "default";

// A namespace is the prefix `clear()` deletes by, so it must be inert in every
// pattern language a backend might use (glob, LIKE, regex): letters, digits, `.` and `-`.
const NAMESPACE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,63})$/;
// A subject is a user or integration id (emails, UUIDs, `user_42`). It is never
// used as a pattern, but `:` separates key parts and the rest are kept out so
// a subject can never look like a pattern to a careless adapter.
// Lone surrogates (\p{Cs}) are out too: stored as UTF-8 they become U+FFFD, so two
// subjects would share one session.
const SUBJECT_FORBIDDEN = /[:*?[\]%\\\s\p{Cc}\p{Cs}]/u;
const MAX_SUBJECT_LENGTH = 256;

/** Throws `ERR_INVALID_ARGUMENT` (field `namespace`) unless `namespace` is 1-64 of `[A-Za-z0-9.-]`, starting alphanumeric. */
export function assertNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== "string" || !NAMESPACE.test(namespace)) {
    throw invalidOption(
      "namespace",
      "must be 1-64 characters of letters, digits, '.' or '-', starting with a letter or digit",
    );
  }
}

/** Throws `ERR_INVALID_ARGUMENT` (field `subject`) unless `subject` is 1-256 characters without `: * ? [ ] % \`, whitespace or control characters. */
export function assertSubject(subject: unknown): asserts subject is string {
  if (
    typeof subject !== "string" ||
    subject.length === 0 ||
    subject.length > MAX_SUBJECT_LENGTH ||
    SUBJECT_FORBIDDEN.test(subject)
  ) {
    throw invalidOption(
      "subject",
      `must be 1-${MAX_SUBJECT_LENGTH} characters, none of : * ? [ ] % \\ whitespace, control or lone surrogate`,
    );
  }
}

/** Throws `ERR_INVALID_ARGUMENT` (field `authType`) unless it is one of `AUTH_TYPES`. */
export function assertAuthType(authType: unknown): asserts authType is AuthType {
  if (!isAuthType(authType)) {
    throw invalidOption("authType", "must be one of 'server', 'client', 'password', 'app'");
  }
}

/** The parts of a session key. */
export interface SessionKeyParts {
  readonly namespace: string;
  readonly subject: string;
  readonly authType: AuthType;
}

/** Builds `<namespace>:<subject>:<authType>` after validating each part. */
export function sessionKey(parts: SessionKeyParts): string {
  assertNamespace(parts.namespace);
  assertSubject(parts.subject);
  assertAuthType(parts.authType);
  return `${parts.namespace}:${parts.subject}:${parts.authType}`;
}

/** The prefix every key of `namespace` starts with (`clear()` and `list()` use it). */
export function namespacePrefix(namespace: string): string {
  assertNamespace(namespace);
  return `${namespace}:`;
}

/** Splits a key built by {@link sessionKey}; `undefined` for anything else. */
export function parseSessionKey(key: string): SessionKeyParts | undefined {
  const parts = key.split(":");
  if (parts.length !== 3) return undefined;
  const [namespace, subject, authType] = parts as [string, string, string];
  if (!NAMESPACE.test(namespace) || !isAuthType(authType)) return undefined;
  if (subject.length === 0 || SUBJECT_FORBIDDEN.test(subject)) return undefined;
  return { namespace, subject, authType };
}
