import { runCli } from "./run-cli.js";

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
