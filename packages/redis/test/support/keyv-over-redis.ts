// For the keyv package's tests: a plain Keyv over @keyv/redis (a dependency of
// this package), the way a user builds one. @keyv/redis connects on first use.
import KeyvRedis from "@keyv/redis";
import { createClient } from "@redis/client";
import { Keyv } from "keyv";

/**
 * `new Keyv(new KeyvRedis(url, ...), { namespace })`, set to fail instead of
 * answering "missing" when Redis is unreachable. Disconnect it with `keyv.disconnect()`.
 */
export function keyvOverRedis(url: string, namespace: string): Keyv {
  const adapter = new KeyvRedis(url, { connectionTimeout: 1_000, throwOnConnectError: true, throwOnErrors: true });
  return new Keyv(adapter, { namespace });
}

/** How many other connections Redis at `url` has open now (CLIENT LIST), asked on a connection of our own. */
export async function otherConnections(url: string): Promise<number> {
  const admin = createClient({ url });
  admin.on("error", () => undefined);
  await admin.connect();
  try {
    const own = String(await admin.clientId());
    return (await admin.clientList()).filter((entry) => String(entry.id) !== own).length;
  } finally {
    await admin.close();
  }
}
