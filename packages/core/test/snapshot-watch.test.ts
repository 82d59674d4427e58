import { createSnapshotWatch } from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

const snapshot = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe("createSnapshotWatch: changes found by comparing snapshots", () => {
  it("the first snapshot is the baseline; then added, changed and removed keys are reported, unchanged ones not", () => {
    const changes = createSnapshotWatch();
    const heard: string[] = [];
    expect(changes.add(({ key }) => heard.push(key))).toBe(true);
    changes.compare(snapshot({ a: "1", b: "1", c: "1" }));
    expect(heard).toEqual([]);
    changes.compare(snapshot({ a: "1", b: "2", d: "1" }));
    expect(heard.sort()).toEqual(["b", "c", "d"]);
  });

  it("an own write in flight is not reported, nor is it once landed; another instance's later change is", async () => {
    const changes = createSnapshotWatch();
    const heard: string[] = [];
    changes.add(({ key }) => heard.push(key));
    changes.compare(snapshot({ a: "1" }));
    let land!: () => void;
    const writing = changes.ownWrite("a", "2", () => new Promise<string>((resolve) => (land = () => resolve("ok"))));
    changes.compare(snapshot({ a: "2" })); // the backend shows the write before its promise settles
    land();
    expect(await writing).toBe("ok");
    changes.compare(snapshot({ a: "2" }));
    expect(heard).toEqual([]);
    await changes.ownWrite("a", undefined, async () => undefined);
    changes.compare(snapshot({}));
    expect(heard).toEqual([]);
    changes.compare(snapshot({ a: "3" }));
    expect(heard).toEqual(["a"]);
  });

  it("a snapshot differing from what the own write leaves is reported (someone else wrote too)", async () => {
    const changes = createSnapshotWatch();
    const heard: string[] = [];
    changes.add(({ key }) => heard.push(key));
    changes.compare(snapshot({ a: "1" }));
    let land!: () => void;
    const writing = changes.ownWrite("a", "2", () => new Promise<void>((resolve) => (land = resolve)));
    changes.compare(snapshot({ a: "other" }));
    land();
    await writing;
    expect(heard).toEqual(["a"]);
  });

  it("a throwing listener does not stop the others; remove() says when the last one left; reset() starts a new baseline", () => {
    const changes = createSnapshotWatch();
    const heard: string[] = [];
    const thrower = () => {
      throw new Error("listener bug");
    };
    const listener = ({ key }: { key: string }) => heard.push(key);
    changes.add(thrower);
    expect(changes.add(listener)).toBe(false);
    changes.compare(snapshot({ a: "1" }));
    changes.compare(snapshot({ a: "2" }));
    expect(heard).toEqual(["a"]);
    expect(changes.remove(thrower)).toBe(false);
    expect(changes.remove(listener)).toBe(true);
    expect(changes.watching).toBe(false);
    changes.add(listener);
    changes.reset();
    changes.compare(snapshot({ a: "9" }));
    expect(heard).toEqual(["a"]);
  });

  it("writes run as they are while nobody watches", async () => {
    const changes = createSnapshotWatch();
    expect(await changes.ownWrite("a", "1", async () => 42)).toBe(42);
    changes.add(() => undefined);
    changes.clear();
    expect(changes.watching).toBe(false);
  });

  it("reads before the baseline are this instance's view: a baseline differing from one reports that key", () => {
    const changes = createSnapshotWatch();
    const heard: string[] = [];
    expect(changes.seen("ignored", "x")).toBe("x"); // nobody watches yet: nothing recorded
    changes.add(({ key }) => heard.push(key));
    changes.seen("same", "1");
    changes.seen("refreshed", "old");
    changes.seen("logged-out", "1");
    changes.seen("signed-in", undefined);
    changes.compare(snapshot({ same: "1", refreshed: "new", "signed-in": "1", ignored: "y" }));
    expect(heard.sort()).toEqual(["logged-out", "refreshed", "signed-in"]);
    heard.length = 0;
    changes.seen("same", "stale"); // after the baseline, reads change nothing
    changes.compare(snapshot({ same: "1", refreshed: "new", "signed-in": "1", ignored: "y" }));
    expect(heard).toEqual([]);
  });
});
