import { runCli } from "./run-cli.js";

// A reader that went away (`sessionstore list | head -1`) is not a failure:
// end quietly with 0, as npm and gh do, instead of an unhandled EPIPE stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

// The bin: wire runCli to the real process. Exit via exitCode so stdout drains;
// the unref'd timer only fires when something (a half-open socket) would keep
// the process alive after the answer is out.
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
});
