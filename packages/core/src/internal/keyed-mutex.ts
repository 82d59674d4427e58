import { LatestByKey } from "#internal/latest-by-key";

/**
 * Runs tasks one at a time per key, in the order they were submitted. The
 * SessionManager uses it so that podio-js's `set({})` then `set(newPair)` land
 * in that order even on stores whose writes can overtake each other.
 */
export interface KeyedMutex {
  /**
   * Runs `task` once every task submitted before it for `key` has settled. A
   * task for an idle key starts before `run` returns (every write goes through
   * here: waiting a promise job for nobody would delay each one).
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with a task queued or running (for tests and leak checks). */
  readonly size: number;
}

export function createKeyedMutex(): KeyedMutex {
  // The last task of each busy key; the next one for that key waits for it to settle.
  const tails = new LatestByKey<Promise<unknown>>();
  return {
    get size() {
      return tails.size;
    },
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key);
      let result: Promise<T>;
      try {
        result = previous ? previous.then(task, task) : task();
      } catch (error) {
        // A task that throws instead of rejecting fails like one run from a then().
        result = Promise.reject(error);
      }
      tails.set(key, result);
      // Also marks the result's rejection handled here: the caller gets it through `result`.
      const forget = () => {
        if (tails.get(key) === result) tails.delete(key);
      };
      result.then(forget, forget);
      return result;
    },
  };
}
