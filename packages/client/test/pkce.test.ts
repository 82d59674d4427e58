import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codeChallengeS256, configFingerprint, createCodeVerifier, createState } from "../src/index.js";
import { hex, sha256 } from "../src/internal/sha256.js";

describe("PKCE helpers", () => {
  it("matches RFC 7636 Appendix B", () => {
    expect(codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("the synchronous SHA-256 agrees with node:crypto on every length around block boundaries", () => {
    for (let length = 0; length < 200; length++) {
      const data = randomBytes(length);
      expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });

  it("verifiers and states are random, URL-safe, and the right length", () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => createCodeVerifier()));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => codeChallengeS256("short")).toThrow(/43-128/);
  });
});

describe("configFingerprint", () => {
  const base = { tokenURL: "https://api.example/oauth/token", clientId: "c1", scope: "a b" };
  it("changes with every part of the config but not with scope order", () => {
    const print = configFingerprint(base);
    expect(print).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(configFingerprint({ ...base, scope: "b  a" })).toBe(print);
    for (const changed of [
      { ...base, tokenURL: "https://api.example/oauth/token2" },
      { ...base, clientId: "c2" },
      { ...base, scope: "a" },
      { ...base, audience: "https://other" },
    ]) {
      expect(configFingerprint(changed)).not.toBe(print);
    }
  });
});
