import { packageConfig } from "../../tsup.base.js";

// Split: the main entry and `/adapter` share one copy of the error class and the kit, not two.
const entry = { index: "src/index.ts", "adapter/index": "src/adapter/index.ts" };

export default [
  packageConfig({ entry, splitting: true }),
  // What browser bundlers pick (the `browser` export condition): the same API with the
  // browser's store-error masking (package.json `imports`, `browser` condition).
  packageConfig({
    entry: { "index.browser": entry.index, "adapter/index.browser": entry["adapter/index"] },
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: false,
    clean: false,
    splitting: true,
  }),
];
