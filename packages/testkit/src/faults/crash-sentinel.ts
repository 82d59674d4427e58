/** Collects unhandled rejections and uncaught exceptions while installed: the "no crash" check of fault tests. */
export interface CrashSentinel {
  /** What was caught since the last `install()`. */
  readonly caught: unknown[];
  install(): void;
  /** Waits a few turns for stray promises to reject, uninstalls, and returns what was caught. */
  uninstall(): Promise<unknown[]>;
}

/** Creates a {@link CrashSentinel} (Node: it listens on `process`). */
export function crashSentinel(): CrashSentinel {
  const caught: unknown[] = [];
  const record = (reason: unknown) => caught.push(reason);
  return {
    caught,
    install() {
      caught.length = 0;
      process.on("unhandledRejection", record);
      process.on("uncaughtException", record);
    },
    async uninstall() {
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
      return [...caught];
    },
  };
}
