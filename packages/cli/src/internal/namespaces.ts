import { parseSessionKey, type SessionStore } from "@sessionstore/core";

/**
 * The session namespaces that hold at least one session key in `store`, sorted;
 * empty when the store cannot list (no `list`) or holds none. `list("")` lists
 * every key: the empty prefix matches all.
 */
export async function namespacesIn(store: SessionStore): Promise<string[]> {
  if (store.capabilities?.list === false || typeof store.list !== "function") return [];
  const found = new Set<string>();
  for (const key of await store.list("")) {
    const parts = parseSessionKey(key);
    if (parts) found.add(parts.namespace);
  }
  return [...found].sort();
}

/**
 * Joins the `--json` documents of `list` run once per namespace into one: every
 * session gains its `namespace`, and `namespaces` names them all
 * (`namespace` is null: there is no single one).
 */
export function joinListJson(documents: ReadonlyArray<{ namespace: string; text: string }>, store: string): string {
  const sessions = documents.flatMap(({ namespace, text }) => {
    const parsed = JSON.parse(text) as { sessions: Array<Record<string, unknown>> };
    return parsed.sessions.map((session) => ({ namespace, ...session }));
  });
  const body = { namespace: null, namespaces: documents.map(({ namespace }) => namespace), store, sessions };
  return `${JSON.stringify(body, null, 2)}\n`;
}
