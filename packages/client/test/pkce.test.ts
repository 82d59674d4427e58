import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  codeChallengeS256,
  configFingerprint,
  createCodeVerifier,
  createState,
  fingerprintMatches,
} from "../src/index.js";
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
    expect(print).toMatch(/^v2:[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(configFingerprint({ ...base, scope: "b  a" })).toBe(print);
    for (const changed of [
      { ...base, tokenURL: "https://api.example/oauth/token2" },
      { ...base, clientId: "c2" },
      { ...base, scope: "a" },
      { ...base, audience: "https://other" },
      { ...base, authorizeURL: "https://api.example/oauth/authorize2" },
      { ...base, revokeURL: "https://api.example/oauth/revoke" },
      { ...base, clientSecret: "s3cret" },
    ]) {
      expect(configFingerprint(changed)).not.toBe(print);
      expect(fingerprintMatches(print, configFingerprint(changed))).toBe(false);
    }
    expect(configFingerprint({ ...base, clientSecret: "a" })).not.toBe(
      configFingerprint({ ...base, clientSecret: "b" }),
    );
  });

  it("never contains the client secret, nor its plain SHA-256", () => {
    const secret = "correct-horse-battery-staple";
    const print = configFingerprint({ ...base, clientSecret: secret });
    expect(print).not.toContain(secret);
    const plain = createHash("sha256").update(secret).digest("hex");
    expect(print).not.toContain(plain.slice(0, 16));
  });

  it("recognises a 0.1.0 (v1) fingerprint of the same token URL, client id, scope and audience", () => {
    // The 0.1.0 algorithm, as released: SHA-256 of [tokenURL, clientId, sorted scope, audience].
    const v1 = (input: { tokenURL: string; clientId: string; scope: string; audience?: string }) =>
      `v1:${createHash("sha256")
        .update(
          JSON.stringify([
            input.tokenURL,
            input.clientId,
            input.scope.split(" ").sort().join(" "),
            input.audience ?? "",
          ]),
        )
        .digest("hex")}`;
    const current = configFingerprint({ ...base, clientSecret: "s", revokeURL: "https://api.example/oauth/revoke" });
    expect(fingerprintMatches(v1(base), current)).toBe(true);
    expect(fingerprintMatches(v1({ ...base, clientId: "c2" }), current)).toBe(false);
    expect(fingerprintMatches(v1({ ...base, scope: "a" }), current)).toBe(false);
    expect(fingerprintMatches(undefined, current)).toBe(true);
    expect(fingerprintMatches("v1:not-hex", current)).toBe(false);
    expect(fingerprintMatches(current, current)).toBe(true);
  });
});
