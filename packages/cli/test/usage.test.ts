import { randomUUID } from "node:crypto";
import { EXIT_CODES } from "@sessionstore/cli";
import { describe, expect, it } from "vitest";
import { run, seed, sharedMemoryStore } from "./support/harness.js";

const STORE = ["--store", "sqlite:./ignored.db"];

describe("help and usage errors (exit 1, before any store is opened)", () => {
  it("--help, -h, help and help <command> print to stdout and exit 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const result = await run(argv);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain("Usage: sessionstore <command> --store <uri>");
      expect(result.stdout).toContain("3  no such session");
    }
    for (const command of ["list", "show", "delete", "clear"]) {
      const viaHelp = await run(["help", command]);
      const viaFlag = await run([command, "--help"]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toContain(`Usage: sessionstore ${command} --store <uri>`);
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
    }
  });

  it.each([
    [["lst"], 'unknown command "lst" (did you mean "list"?)'],
    [["list", "--subjct", "a", ...STORE], 'unknown option "--subjct" (did you mean "--subject"?)'],
    [["list", "-x", "it's", ...STORE], 'unknown option "-x"'],
    [["list", "--json=yes", ...STORE], "option --json takes no value"],
    [["list", "--timeout", "--json", ...STORE], "option --timeout needs a value"],
    [["help", "nope"], 'no help for unknown command "nope"'],
    [["help", "list", "show"], "help takes one command"],
    [["list", "--bogus", ...STORE], 'unknown option "--bogus"'],
    [["list", "extra", ...STORE], 'unexpected argument "extra"'],
    [["list"], "--store is required"],
    [["list", "--yes", ...STORE], "--yes does not apply to list"],
    [["delete", "--reveal", ...STORE], "--reveal does not apply to delete"],
    [
      ["list", "--timeout", "soon", ...STORE],
      '--timeout must be a whole number of milliseconds, 1 to 600000; got "soon"',
    ],
    [["list", "--timeout", "0", ...STORE], "--timeout must be"],
    [["list", "--namespace", "a*", ...STORE], '--namespace "a*": namespace must be'],
    [["show", "--subject", "a:b", ...STORE], "--subject: subject must be"],
    [
      ["show", "--auth-type", "oauth", ...STORE],
      '--auth-type must be one of server, client, password, app; got "oauth"',
    ],
    [["list", "--store"], "option --store needs a value"],
  ])("%j: %s", async (argv, message) => {
    const memory = sharedMemoryStore();
    const result = await run(argv, { openStore: memory.opener });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    // Node's own parseArgs wording never reaches the user.
    expect(result.stderr).not.toMatch(/To specify a positional|argument missing|Unknown option/);
    expect(memory.opened()).toBe(0);
  });

  it("no command prints the general help on stderr", async () => {
    const result = await run([]);
    expect(result).toMatchObject({ code: EXIT_CODES.USAGE, stdout: "" });
    expect(result.stderr).toContain("Usage: sessionstore <command>");
  });

  it("takes --store and --namespace from the environment when not given", async () => {
    const { store, opener } = sharedMemoryStore();
    const namespace = `ns-${randomUUID().slice(0, 8)}`;
    await seed(store, namespace, [{ subject: "alice", authType: "app", expiresIn: 60 }]);
    const result = await run(["list", "--json"], {
      openStore: opener,
      env: { SESSIONSTORE_STORE: "redis://127.0.0.1:6379/3", SESSIONSTORE_NAMESPACE: namespace },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      namespace,
      store: "redis://127.0.0.1:6379/3",
      sessions: [expect.objectContaining({ subject: "alice" })],
    });
  });
});
