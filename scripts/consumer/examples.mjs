// The cases test-consumer.mjs runs in each scratch app (npm- and pnpm-installed).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { CJS, ESM, GETTING_STARTED_RUNNER, MANY, SQLITE, TS } from "./programs.mjs";

/** The real directory of the sqlite3 that @sessionstore/sqlite loads in `app`. */
function realSqlite3(app) {
  const sqlitePackage = realpathSync(join(app, "node_modules", "@sessionstore", "sqlite"));
  const fromThere = createRequire(join(sqlitePackage, "package.json"));
  return join(fromThere.resolve("sqlite3"), "..", "..");
}

/** The first js block under "## A script that signs in once" in docs/getting-started.md. */
function gettingStartedScript(ROOT) {
  const page = readFileSync(join(ROOT, "docs", "getting-started.md"), "utf8");
  const section = page.slice(page.indexOf("## A script that signs in once"));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("docs/getting-started.md: no js block under '## A script that signs in once'");
  return match[1];
}

/** @returns the case functions for one app. */
export function examples({ manager, app, ROOT, sh, check, digest, work }) {
  const node = (args, options = {}) => sh(process.execPath, args, { cwd: app, allowFail: true, ...options });
  const bin = join(app, "node_modules", ".bin", "sessionstore");
  const cli = (args) => sh(bin, args, { cwd: app, allowFail: true });
  const label = (text) => `${manager}: ${text}`;

  return [
    async () => {
      writeFileSync(join(app, "getting-started.mjs"), gettingStartedScript(ROOT));
      writeFileSync(join(app, "getting-started-runner.mjs"), GETTING_STARTED_RUNNER);
      const result = node(["getting-started-runner.mjs"]);
      const out = result.status === 0 ? JSON.parse(result.stdout) : {};
      check(
        label("docs/getting-started.md's script: signs in, then restores with no token call"),
        out.outputs?.every((line) => line === "signed in as demo") &&
          out.calls?.[0] === out.calls?.[1] &&
          out.calls?.[0] >= 1,
        result.stderr + result.stdout,
      );
    },
    async () => {
      writeFileSync(join(app, "esm.mjs"), ESM);
      const esm = node(["esm.mjs"]);
      check(
        label("ESM app signs in and lists its session"),
        esm.stdout.trim() === '{"user":"demo","sessions":1}',
        esm.stderr + esm.stdout,
      );
      writeFileSync(join(app, "app.cjs"), CJS);
      const cjs = node(["app.cjs"]);
      const out = cjs.status === 0 ? JSON.parse(cjs.stdout) : {};
      check(
        label("CommonJS app: core, file, testkit/platform load"),
        out.read === "a" && out.file === "function",
        cjs.stderr,
      );
      check(
        label("require('@sessionstore/testkit') says to use ESM"),
        /^ERR_REQUIRE_ESM: .*ESM-only/.test(out.suite ?? "") && !out.suite.includes("Vitest cannot be imported"),
        out.suite,
      );
    },
    async () => {
      writeFileSync(join(app, "check.ts"), TS);
      const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
      for (const [moduleKind, resolution] of [
        ["node16", "node16"],
        ["esnext", "bundler"],
      ]) {
        const result = node([
          tsc,
          "--noEmit",
          "--strict",
          "--skipLibCheck",
          "false",
          "--module",
          moduleKind,
          "--moduleResolution",
          resolution,
          "--target",
          "es2022",
          "--types",
          "node",
          "--typeRoots",
          join(ROOT, "node_modules", "@types"),
          "check.ts",
        ]);
        check(
          label(`TypeScript (${resolution}, skipLibCheck off) compiles`),
          result.status === 0,
          result.stdout + result.stderr,
        );
      }
    },
    async () => {
      const v = cli(["--version"]);
      check(label("sessionstore --version"), v.status === 0 && /^\d+\.\d+\.\d+/.test(v.stdout), v.stderr);
      const typo = cli(["lst"]);
      check(label("typo: did you mean"), typo.status === 1 && typo.stderr.includes('did you mean "list"'), typo.stderr);
      const option = cli(["list", "--subjct", "a", "--store", "file:x.json"]);
      check(
        label("option typo: our words"),
        option.status === 1 &&
          option.stderr.includes('did you mean "--subject"') &&
          !option.stderr.includes("To specify a positional"),
        option.stderr,
      );
    },
    async () => {
      // Files a user may point `--store file:` at by mistake: never changed by any command.
      const dir = join(app, "foreign");
      mkdirSync(dir);
      copyFileSync(join(app, "package.json"), join(dir, "package.json"));
      writeFileSync(join(dir, "empty.json"), "");
      writeFileSync(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 0xff, 0x7b, 10]));
      writeFileSync(join(dir, "app.db"), Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(4080, 7)]));
      for (const file of readdirSync(dir)) {
        const path = join(dir, file);
        const before = digest(path);
        let ok = true;
        let detail = "";
        for (const args of [
          ["list"],
          ["show", "--subject", "a"],
          ["delete", "--subject", "a", "--auth-type", "app"],
          ["clear", "--yes"],
        ]) {
          const result = cli([...args, "--store", `file:${path}`]);
          if (result.status !== 2 || !result.stderr.includes("is not a sessionstore file") || digest(path) !== before) {
            ok = false;
            detail += `${args[0]}: exit ${result.status} ${result.stderr}\n`;
          }
        }
        check(
          label(`CLI leaves ${file} byte-identical (list/show/delete/clear, exit 2)`),
          ok && readdirSync(dir).length === 4,
          detail,
        );
      }
    },
    async () => {
      // Enough sessions that the table outgrows a pipe buffer, so `head -1` really closes it mid-write.
      writeFileSync(join(app, "many.mjs"), MANY);
      const many = node(["many.mjs"]);
      check(label("1500 sessions written through the file store"), many.status === 0, many.stderr);
      const path = join(app, "data", "many.json");
      const before = digest(path);
      const list = cli(["list", "--store", `file:${path}`, "--namespace", "many", "--json"]);
      const show = cli(["show", "--store", `file:${path}`, "--namespace", "many", "--subject", "user-1"]);
      check(
        label("list/show on a sessions file leave it byte-identical"),
        list.status === 0 &&
          show.status === 0 &&
          JSON.parse(list.stdout).sessions.length === 1500 &&
          digest(path) === before,
        list.stderr + show.stderr,
      );
      const piped = sh(
        "bash",
        [
          "-c",
          `set -o pipefail; for i in 1 2 3; do "${bin}" list --store file:data/many.json --namespace many | head -1 >/dev/null || exit $?; done`,
        ],
        { cwd: app, allowFail: true },
      );
      check(label("list | head -1 ends quietly (exit 0)"), piped.status === 0 && piped.stderr === "", piped.stderr);
    },
    async () => {
      // The native SQLite binding: missing after this install (scripts skipped), so the error says what to run.
      const db = join(app, "data", "app.db");
      const missing = cli(["list", "--store", `sqlite:${join(work, "nonexistent.db")}`]);
      check(label("sqlite: missing file exits 2"), missing.status === 2, missing.stderr);
      writeFileSync(db, "");
      const noDriver = cli(["list", "--store", `sqlite:${db}`]);
      check(
        label("sqlite without its native binding: exit 2, says what to run"),
        noDriver.status === 2 &&
          noDriver.stderr.includes("pnpm approve-builds") &&
          noDriver.stderr.includes("npm rebuild sqlite3"),
        noDriver.stderr,
      );
      // What "npm rebuild sqlite3" would produce, taken from the repository's own build (CI cannot download it).
      const built = join(
        ROOT,
        "node_modules",
        ".pnpm",
        readdirSync(join(ROOT, "node_modules", ".pnpm")).find((d) => d.startsWith("sqlite3@")),
        "node_modules",
        "sqlite3",
        "build",
        "Release",
        "node_sqlite3.node",
      );
      const installed = realSqlite3(app);
      mkdirSync(join(installed, "build", "Release"), { recursive: true });
      copyFileSync(built, join(installed, "build", "Release", "node_sqlite3.node"));
      rmSync(db);
      writeFileSync(join(app, "sqlite.mjs"), SQLITE);
      const wrote = node(["sqlite.mjs", db]);
      check(label("sqlite after the binding is built: an app writes sessions"), wrote.status === 0, wrote.stderr);
      const before = digest(db);
      const list = cli(["list", "--store", `sqlite:${db}`, "--namespace", "sq", "--json"]);
      const show = cli(["show", "--store", `sqlite:${db}`, "--namespace", "sq", "--subject", "alice"]);
      check(
        label("sqlite list/show: the sessions, and the database byte-identical (no purge)"),
        list.status === 0 &&
          show.status === 0 &&
          JSON.parse(list.stdout).sessions.length === 2 &&
          digest(db) === before,
        list.stderr + show.stderr + list.stdout,
      );
    },
    async () => {
      const redis = cli(["list", "--store", "redis://127.0.0.1:6379/99"]);
      if (manager === "npm") {
        check(
          label("redis without @sessionstore/redis: exit 2, says what to install"),
          redis.status === 2 && redis.stderr.includes("npm install @sessionstore/redis"),
          redis.stderr,
        );
      } else {
        check(
          label("redis://…/99 is a bad URI (exit 1)"),
          redis.status === 1 && redis.stderr.includes("Redis has no database 99"),
          redis.stderr,
        );
      }
    },
  ];
}
