import { packageConfig } from "../../tsup.base.js";

// Separate entries: the conformance suite imports vitest, the fake platform and the
// lock worker (run in child processes) must not; support is Node-only, so browser
// tests, which import the root, never pull child_process.
export default packageConfig({
  entry: {
    index: "src/index.ts",
    platform: "src/platform/index.ts",
    support: "src/support/index.ts",
    "lock-worker": "src/lock-worker/index.ts",
  },
});
