/** Longest token accepted (JWTs with many claims stay far below this). */
export const MAX_TOKEN_LENGTH = 65_536;
// 100 years: anything longer is a unit mistake (ms given as s) or garbage.
export const MAX_EXPIRES_IN_SECONDS = 100 * 365 * 24 * 3600;
// The largest time a JS Date can hold.
export const MAX_EPOCH_MS = 8.64e15;

// How each known auth field is read.
export const STRING = 0;
export const TOKEN = 1;
export const SECONDS = 2;
export const EPOCH = 3;
export const SCOPE = 4;

/** The known fields of an auth object and their kinds, in the order they are checked and stored. */
export const KNOWN_FIELDS: Readonly<Record<string, number>> = {
  accessToken: TOKEN,
  refreshToken: TOKEN,
  expiresIn: SECONDS,
  expiresAt: EPOCH,
  issuedAt: EPOCH,
  refreshExpiresAt: EPOCH,
  tokenType: STRING,
  scope: SCOPE,
  transferToken: STRING,
  idToken: STRING,
};

/** {@link KNOWN_FIELDS}' names, in order. */
export const KNOWN_FIELD_NAMES: readonly string[] = Object.keys(KNOWN_FIELDS);
