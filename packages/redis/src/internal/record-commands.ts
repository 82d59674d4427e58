/**
 * The three commands of every record read and write (GET; SET, and the
 * PUBLISH of its change notice), sent the cheapest way node-redis offers.
 *
 * On a single server they go through `sendCommand` with their arguments as an
 * array. node-redis' typed methods (`client.set(...)`) wrap that same call in
 * two async frames, a parser object and a reply transform: with 50 callers,
 * SET and PUBLISH this way measured 1.0–1.3× the typed methods' throughput
 * (bench/src/profile/redis-commands.ts), GET 1.00–1.25×. The store's command
 * options (its `typeMapping`) go with each call, as the typed methods send them,
 * so the replies are the same.
 *
 * A cluster keeps the typed methods: they route each command to its key's node.
 */

/** GET, SET (with PX `pxMs` when given) and PUBLISH; replies as node-redis gives them. */
export interface RecordCommands {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, pxMs?: number): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/** The typed methods (a cluster's, or a single client's as the store's `commands`). */
export interface TypedRecordCommands {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { expiration?: { type: "PX"; value: number } }): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/** node-redis v5 `RedisClient.sendCommand`: the arguments as sent, `options` merged over the client's own. */
export interface RawCommandSender {
  sendCommand(args: string[], options?: object): Promise<unknown>;
}

/**
 * A single-server client's `sendCommand(args, options)`, or `undefined` when its
 * `sendCommand` takes other arguments (a Sentinel client's starts with
 * `isReadonly`, a cluster's with the first key): those keep the typed methods,
 * which every node-redis v5 client has.
 */
export function rawSender(client: object): RawCommandSender | undefined {
  const candidate = client as Partial<RawCommandSender>;
  return typeof candidate.sendCommand === "function" && candidate.sendCommand.length === 2
    ? (candidate as RawCommandSender)
    : undefined;
}

/**
 * @param single the client's raw sender on a single server ({@link rawSender}); `undefined` otherwise.
 * @param commandOptions what the typed methods were given (`withCommandOptions`), sent with every raw command.
 */
export function recordCommands(
  typed: TypedRecordCommands,
  single: RawCommandSender | undefined,
  commandOptions: object,
): RecordCommands {
  if (single === undefined) {
    return {
      get: (key) => typed.get(key),
      set: (key, value, pxMs) =>
        pxMs === undefined ? typed.set(key, value) : typed.set(key, value, { expiration: { type: "PX", value: pxMs } }),
      publish: (channel, message) => typed.publish(channel, message),
    };
  }
  return {
    get: (key) => single.sendCommand(["GET", key], commandOptions),
    set: (key, value, pxMs) =>
      single.sendCommand(
        pxMs === undefined ? ["SET", key, value] : ["SET", key, value, "PX", String(pxMs)],
        commandOptions,
      ),
    publish: (channel, message) => single.sendCommand(["PUBLISH", channel, message], commandOptions),
  };
}
