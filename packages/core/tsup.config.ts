import { packageConfig } from "../../tsup.base.js";

export default [
  packageConfig(),
  // What browser bundlers pick (the `browser` export condition): the same API with the
  // browser's store-error masking (package.json `imports`, `browser` condition).
  packageConfig({
    entry: { "index.browser": "src/index.ts" },
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: false,
    clean: false,
  }),
];
