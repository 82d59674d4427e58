import { describe, expect, it } from "vitest";
import { expiryPhrase, humanDuration, printable, relativeTime, table } from "../src/internal/format.js";

const NOW = Date.parse("2026-11-23T09:18:00Z");

describe("time formatting", () => {
  it.each([
    [0, "0 s"],
    [59_400, "59 s"],
    [60_000, "1 min"],
    [42 * 60_000, "42 min"],
    [89 * 60_000, "89 min"],
    [90 * 60_000, "2 h"],
    [47 * 3_600_000, "47 h"],
    [48 * 3_600_000, "2 d"],
    [-30 * 86_400_000, "30 d"],
  ])("%i ms is %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it("says in/ago with the absolute UTC time", () => {
    expect(relativeTime(NOW + 42 * 60_000, NOW)).toBe("in 42 min (2026-11-23T10:00:00Z)");
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe("3 h ago (2026-11-23T06:18:00Z)");
    expect(relativeTime(NOW + 200, NOW)).toBe("now (2026-11-23T09:18:00Z)");
    expect(expiryPhrase(undefined, NOW)).toBe("no expiry recorded");
    expect(expiryPhrase(NOW, NOW)).toBe("expired just now (2026-11-23T09:18:00Z)");
    expect(expiryPhrase(NOW - 60_000, NOW)).toBe("expired 1 min ago (2026-11-23T09:17:00Z)");
  });
});

describe("printable", () => {
  it("escapes control and bidi characters, keeps the rest", () => {
    expect(printable("a\u001b[31mb\nc\u202ed")).toBe("a\\u001b[31mb\\u000ac\\u202ed");
    expect(printable("müller@example.com")).toBe("müller@example.com");
  });
});

describe("table", () => {
  it("aligns columns and does not pad the last one", () => {
    expect(
      table(
        ["A", "BB"],
        [
          ["long", "x"],
          ["s", "yy"],
        ],
      ),
    ).toBe("A     BB\nlong  x\ns     yy");
  });
});
