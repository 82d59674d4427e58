import { createKeyedMutex, createSingleFlight } from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

describe("createSingleFlight", () => {
  it("shares one running call per key and starts a new one after it settles", async () => {
    const flight = createSingleFlight();
    let calls = 0;
    const task = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return calls;
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => flight.run("k", task)));
    expect(new Set(results)).toEqual(new Set([1]));
    expect(flight.has("k")).toBe(false);
    await expect(flight.run("k", task)).resolves.toBe(2);
  });

  it("shares failures too, then lets the next caller retry", async () => {
    const flight = createSingleFlight();
    const failing = Promise.all([1, 2].map(() => flight.run("k", async () => Promise.reject(new Error("down")))));
    await expect(failing).rejects.toThrow("down");
    await expect(flight.run("k", async () => "ok")).resolves.toBe("ok");
  });
});

describe("createKeyedMutex", () => {
  it("runs tasks for one key in submission order, one at a time, and forgets idle keys", async () => {
    const mutex = createKeyedMutex();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, delay: number) => async () => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, delay));
      log.push(name);
      running -= 1;
    };
    await Promise.all([mutex.run("k", task("a", 20)), mutex.run("k", task("b", 1)), mutex.run("k", task("c", 5))]);
    expect(log).toEqual(["a", "b", "c"]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(mutex.size).toBe(0);
  });

  it("starts a task for an idle key before run() returns, and one for a busy key only once the last settled", async () => {
    const mutex = createKeyedMutex();
    const started: string[] = [];
    let finishFirst: () => void = () => undefined;
    const first = mutex.run("k", async () => {
      started.push("first");
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
    });
    const other = mutex.run("other", async () => {
      started.push("other");
    });
    const second = mutex.run("k", async () => {
      started.push("second");
    });
    expect(started).toEqual(["first", "other"]);
    await other;
    expect(started).toEqual(["first", "other"]);
    finishFirst();
    await Promise.all([first, second]);
    expect(started).toEqual(["first", "other", "second"]);
    expect(mutex.size).toBe(0);
  });

  it("turns a task that throws instead of rejecting into a rejection, and the key stays usable", async () => {
    const mutex = createKeyedMutex();
    const thrower = (): Promise<number> => {
      throw new Error("sync");
    };
    await expect(mutex.run("k", thrower)).rejects.toThrow("sync");
    await expect(mutex.run("k", async () => 2)).resolves.toBe(2);
  });

  it("keeps going after a failed task", async () => {
    const mutex = createKeyedMutex();
    await expect(mutex.run("k", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(mutex.run("k", async () => 1)).resolves.toBe(1);
  });
});
