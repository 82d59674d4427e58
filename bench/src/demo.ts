/** The fake platform's default confidential client (see @sessionstore/testkit/platform). */
export const DEMO_AUTH = { authType: "password", clientId: "demo-client", clientSecret: "demo-secret" } as const;
/** The fake platform's default user. */
export const DEMO_USER = { username: "demo", password: "demo-password" } as const;
