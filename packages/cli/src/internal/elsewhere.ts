import type { SessionManager } from "@sessionstore/core";
import { namespacesIn } from "./namespaces.js";

/**
 * What else the store holds when `list` found nothing where it looked: the
 * other session namespaces (the likeliest mistake is the wrong `--namespace`),
 * and for Redis, that the key prefix (`?prefix=`) is a separate setting.
 */
export async function elsewhereHint(manager: SessionManager, storeDisplay: string): Promise<string> {
  const others = (await namespacesIn(manager.store).catch(() => [])).filter((name) => name !== manager.namespace);
  if (others.length > 0) {
    const shown = others.slice(0, 10).map((name) => `"${name}"`);
    const more = others.length > shown.length ? ` and ${others.length - shown.length} more` : "";
    return `Sessions are in other namespaces of this store: ${shown.join(", ")}${more} (choose with --namespace, or leave it out to list all).\n`;
  }
  if (/^rediss?(\+cluster)?:/.test(storeDisplay)) {
    const prefix = /[?&](?:prefix|namespace)=([^&]+)/.exec(storeDisplay)?.[1] ?? "sessionstore";
    return (
      `This store holds no sessions under the Redis key prefix "${prefix}". An app that made its store with ` +
      "createRedisStore({ keyPrefix }) needs the same prefix here: ?prefix=<it> in the URI (the session namespace is --namespace).\n"
    );
  }
  return "";
}
