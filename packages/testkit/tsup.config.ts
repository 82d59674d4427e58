import { packageConfig } from "../../tsup.base.js";

// Two entries: the conformance suite imports vitest, the fake platform must not.
export default packageConfig({ entry: { index: "src/index.ts", platform: "src/platform/index.ts" } });
