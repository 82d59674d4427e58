import { invalidCursorError, type StoreBackend } from "@sessionstore/core/adapter";
import type { RedisCommands } from "./connection.js";
import { escapeGlob, type RedisKeySpace } from "./keys.js";

/** What {@link redisListing} needs of the store. */
export interface RedisListingParts {
  readonly keys: RedisKeySpace;
  /** One command target per master (one for a single server): SCAN walks each node's own keys. */
  scanTargets(): Promise<RedisCommands[]>;
  /** Runs one command as the store runs every command (bounded wait, errors mapped). */
  run<T>(operation: string, command: () => Promise<T>): Promise<T>;
}

// How many keys one SCAN step of `list` looks at: few round trips without blocking Redis long.
const SCAN_COUNT = 1000;

/** `<node index>:<SCAN cursor>`: SCAN cursors are per node, so a cluster walk says which node it is on. */
const CURSOR = /^(\d{1,4}):(\d{1,20})$/;

/**
 * The store's `list` and `listPage`, both by SCAN. keyv's iterator and
 * clear() build `SCAN MATCH <ns>::*` from the raw namespace (unescaped glob),
 * so listing goes to Redis directly: an escaped MATCH narrows the scan, and a
 * literal startsWith decides. Redis' TTL keeps expired records out of a scan:
 * every key found is listed as is (entry `undefined`).
 */
export function redisListing({
  keys,
  scanTargets,
  run,
}: RedisListingParts): Required<Pick<StoreBackend, "list" | "listPage">> {
  const scanStep = async (target: RedisCommands, operation: string, prefix: string, cursor: string, count: number) => {
    const rawPrefix = keys.record(prefix);
    const reply = await run(operation, () => target.scan(cursor, { MATCH: `${escapeGlob(rawPrefix)}*`, COUNT: count }));
    const found: string[] = [];
    for (const rawKey of reply.keys.map(String)) {
      if (rawKey.startsWith(rawPrefix)) found.push(rawKey.slice(keys.recordPrefix.length));
    }
    return { next: String(reply.cursor), found };
  };

  return {
    async list(prefix) {
      const found = new Set<string>();
      for (const target of await run("list", scanTargets)) {
        let cursor = "0";
        do {
          const step = await scanStep(target, "list", prefix, cursor, SCAN_COUNT);
          cursor = step.next;
          for (const key of step.found) found.add(key);
        } while (cursor !== "0");
      }
      return [...found].map((key) => [key, undefined] as const);
    },

    // One SCAN step per page, COUNT = limit: SCAN's COUNT is work, not a size, so
    // a page may hold fewer keys (none, for a rare prefix) or a few more, and a key
    // may come twice while Redis resizes its table (the contract allows both).
    // On a cluster the walk goes node after node, in the order of its masters; a
    // resharding or failover during the walk may skip or repeat keys of moved slots.
    async listPage(prefix, { cursor, limit }) {
      const targets = await run("list page", scanTargets);
      let node = 0;
      let scanCursor = "0";
      if (cursor !== undefined) {
        const parts = CURSOR.exec(cursor);
        if (!parts) throw invalidCursorError();
        node = Number(parts[1]);
        scanCursor = parts[2] ?? "0";
        // A cursor from before the cluster lost a master: its walk is over.
        if (node >= targets.length) return { entries: [], cursor: undefined };
      }
      const target = targets[node];
      if (!target) return { entries: [], cursor: undefined };
      const step = await scanStep(target, "list page", prefix, scanCursor, limit);
      const nextNode = step.next === "0" ? node + 1 : node;
      const done = nextNode >= targets.length;
      return {
        entries: step.found.map((key) => [key, undefined] as const),
        cursor: done ? undefined : `${nextNode}:${step.next}`,
      };
    },
  };
}
