// Bundled into dist by tsup (esbuild inlines JSON), so the installed CLI needs no file lookup.
import manifest from "../../package.json" with { type: "json" };

/** The CLI package's version, printed by `sessionstore --version`. */
export const CLI_VERSION: string = manifest.version;
