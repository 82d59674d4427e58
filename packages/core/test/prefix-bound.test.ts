import { prefixUpperBound } from "@sessionstore/core/adapter";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Code point (UTF-8 byte) order, as SQLite's BINARY and PostgreSQL's "C" collations compare. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

describe("prefixUpperBound", () => {
  it("bumps the last code point, carrying past U+10FFFF and over the surrogates", () => {
    expect(prefixUpperBound("ns:")).toBe("ns;");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("a\uD7FF")).toBe("a\uE000");
    expect(prefixUpperBound("x😀")).toBe("x😁");
    expect(prefixUpperBound("")).toBeUndefined();
    expect(prefixUpperBound("\u{10FFFF}\u{10FFFF}")).toBeUndefined();
  });

  it("a key starts with the prefix exactly when it lies in [prefix, bound)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 6 });
    fc.assert(
      // Half the keys are built on the prefix, so both sides of the claim are tried.
      fc.property(text, text, fc.boolean(), (prefix, tail, onPrefix) => {
        const key = onPrefix ? prefix + tail : tail;
        const bound = prefixUpperBound(prefix);
        const inRange = byCodePoint(key, prefix) >= 0 && (bound === undefined || byCodePoint(key, bound) < 0);
        expect(inRange).toBe(key.startsWith(prefix));
      }),
    );
  });
});
