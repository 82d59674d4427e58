import { usageError } from "./cli-error.js";

/** `revoke-all`'s own options, validated. */
export interface RevokeAllCliOptions {
  readonly revokeURL: string;
  readonly clientId: string;
  /** Read from the variable `--client-secret-env` names: a secret never goes on the command line. */
  readonly clientSecret?: string;
  readonly clientAuthMethod: "client_secret_post" | "client_secret_basic";
  readonly concurrency: number;
}

/** The options `revoke-all` adds to the command line (node:util parseArgs form). */
export const REVOKE_ALL_OPTIONS = {
  "revoke-url": { type: "string" },
  "client-id": { type: "string" },
  "client-secret-env": { type: "string" },
  "client-auth": { type: "string" },
  concurrency: { type: "string" },
} as const;

const MAX_CONCURRENCY = 64;

/** Reads and checks `revoke-all`'s options; every mistake is a usage error naming the option. */
export function revokeAllOptions(
  text: (name: keyof typeof REVOKE_ALL_OPTIONS) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): RevokeAllCliOptions {
  const command = "revoke-all";
  const revokeURL = text("revoke-url");
  if (revokeURL === undefined) throw usageError("--revoke-url is required (the platform's RFC 7009 endpoint)", command);
  if (!URL.canParse(revokeURL) || !/^https?:$/.test(new URL(revokeURL).protocol)) {
    throw usageError(`--revoke-url must be an absolute http(s) URL, got "${revokeURL}"`, command);
  }
  const clientId = text("client-id") ?? env.SESSIONSTORE_CLIENT_ID;
  if (clientId === undefined || clientId === "") {
    throw usageError("--client-id is required (or set SESSIONSTORE_CLIENT_ID)", command);
  }
  const secretVar = text("client-secret-env");
  let clientSecret: string | undefined;
  if (secretVar !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretVar)) {
      throw usageError(`--client-secret-env takes the NAME of an environment variable, got "${secretVar}"`, command);
    }
    clientSecret = env[secretVar];
    if (clientSecret === undefined || clientSecret === "") {
      throw usageError(`--client-secret-env: the environment variable ${secretVar} is not set`, command);
    }
  }
  const method = text("client-auth") ?? "client_secret_post";
  if (method !== "client_secret_post" && method !== "client_secret_basic") {
    throw usageError(`--client-auth must be client_secret_post or client_secret_basic, got "${method}"`, command);
  }
  const concurrencyText = text("concurrency") ?? "8";
  const concurrency = /^\d+$/.test(concurrencyText) ? Number(concurrencyText) : Number.NaN;
  if (!(concurrency >= 1 && concurrency <= MAX_CONCURRENCY)) {
    throw usageError(
      `--concurrency must be a whole number, 1 to ${MAX_CONCURRENCY}; got "${concurrencyText}"`,
      command,
    );
  }
  return {
    revokeURL,
    clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    clientAuthMethod: method,
    concurrency,
  };
}
