import { createNoticeWatch } from "@sessionstore/core/adapter";
import { describe, expect, it } from "vitest";

describe("createNoticeWatch: a pushed notice per change, and what was used before the subscription", () => {
  it("keys used while watching but not yet listening are reported once, when it listens; not again without a loss", () => {
    const changes = createNoticeWatch();
    const heard: string[] = [];
    changes.seen("before-anyone-watched");
    expect(changes.add(({ key }) => heard.push(key))).toBe(true);
    changes.seen("restored");
    changes.seen("written");
    changes.seen("restored");
    expect(heard).toEqual([]);
    changes.listening();
    expect(heard).toEqual(["restored", "written"]);
    changes.seen("after");
    changes.report("pushed");
    changes.listening();
    expect(heard).toEqual(["restored", "written", "pushed"]);
  });

  it("after a lost subscription listens again, every key used while watching is reported: before the loss and during it", () => {
    const changes = createNoticeWatch();
    const heard: string[] = [];
    changes.add(({ key }) => heard.push(key));
    changes.seen("restored");
    changes.listening();
    changes.seen("written-later");
    heard.length = 0;
    // The connection dropped: a notice about "restored" published now reaches nobody.
    changes.stopped();
    changes.seen("during-the-gap");
    changes.listening();
    expect(heard).toEqual(["restored", "written-later", "during-the-gap"]);
  });

  it("keeps 10,000 keys at most: the key used first makes room", () => {
    const changes = createNoticeWatch();
    const heard: string[] = [];
    changes.add(({ key }) => heard.push(key));
    for (let index = 0; index <= 10_000; index += 1) changes.seen(`k${index}`);
    changes.seen("k5");
    changes.listening();
    expect(heard).toHaveLength(10_000);
    expect(heard[0]).toBe("k1");
    expect(heard.at(-1)).toBe("k10000");
    expect(heard).toContain("k5");
  });

  it("a lost subscription keeps keys again until it listens anew; the last listener leaving forgets them", () => {
    const changes = createNoticeWatch();
    const heard: string[] = [];
    const listener = ({ key }: { key: string }) => heard.push(key);
    changes.add(listener);
    changes.listening();
    changes.stopped();
    changes.seen("during-retry");
    changes.listening();
    expect(heard).toEqual(["during-retry"]);

    expect(changes.remove(listener)).toBe(true);
    expect(changes.watching).toBe(false);
    changes.add(listener);
    changes.seen("kept");
    expect(changes.remove(listener)).toBe(true);
    changes.add(listener);
    changes.listening();
    expect(heard).toEqual(["during-retry"]);
  });

  it("a throwing listener does not stop the others; remove() is true only for the last listener", () => {
    const changes = createNoticeWatch();
    const heard: string[] = [];
    const throwing = () => {
      throw new Error("listener bug");
    };
    expect(changes.add(throwing)).toBe(true);
    expect(changes.add(({ key }) => heard.push(key))).toBe(false);
    changes.report("k");
    expect(heard).toEqual(["k"]);
    expect(changes.remove(throwing)).toBe(false);
    expect(changes.remove(throwing)).toBe(false);
    changes.clear();
    expect(changes.watching).toBe(false);
  });
});
