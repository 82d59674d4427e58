// Writes the boilerplate package.json/tsconfig/tsup config for packages/<name>.
// Used once per package so every manifest has the same shape.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const [name, description] = process.argv.slice(2);
const dir = `packages/${name}`;
mkdirSync(`${dir}/src`, { recursive: true });
mkdirSync(`${dir}/test`, { recursive: true });
const pkg = {
  name: `@sessionstore/${name}`,
  version: "0.1.0",
  description,
  license: "MIT",
  repository: { type: "git", url: "git+https://github.com/sessionstore/sessionstore.git", directory: dir },
  keywords: ["oauth", "tokens", "session", "store", name],
  type: "module",
  sideEffects: false,
  engines: { node: ">=20" },
  files: ["dist", "src"],
  main: "./dist/index.cjs",
  module: "./dist/index.js",
  types: "./dist/index.d.cts",
  exports: {
    ".": {
      "@sessionstore/source": "./src/index.ts",
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
    },
    "./package.json": "./package.json",
  },
  scripts: { build: "tsup", typecheck: "tsc --noEmit" },
};
if (!existsSync(`${dir}/package.json`)) writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  `${dir}/tsconfig.json`,
  `${JSON.stringify({ extends: "../../tsconfig.base.json", include: ["src", "test"] }, null, 2)}\n`,
);
writeFileSync(
  `${dir}/tsup.config.ts`,
  `import { packageConfig } from "../../tsup.base.js";\n\nexport default packageConfig();\n`,
);
