import { packageConfig } from "../../tsup.base.js";

// Two builds: the library (ESM + CJS + types, from the shared base) and the
// `sessionstore` bin (ESM only, with a shebang). The banner goes on the bin
// alone: a shebang in the library files would be a syntax error for bundlers.
export default [
  packageConfig(),
  packageConfig({
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    dts: false,
    clean: false,
    banner: { js: "#!/usr/bin/env node" },
  }),
];
