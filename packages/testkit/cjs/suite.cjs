"use strict";
// `require("@sessionstore/testkit")`: the conformance suite runs inside vitest,
// which cannot be loaded with require(). Say so, and where the part that works
// from CommonJS (the fake platform) lives, instead of vitest's own message.
const error = new Error(
  "@sessionstore/testkit's conformance suite runs under vitest, which is ESM-only: load it from an ES " +
    'module test file (.mjs, .mts, or a package with "type": "module"). The fake OAuth platform works ' +
    'from CommonJS: require("@sessionstore/testkit/platform").',
);
error.code = "ERR_REQUIRE_ESM";
throw error;
