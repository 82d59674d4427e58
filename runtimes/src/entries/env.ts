import process from "node:process";

/** A required setting the Node-side test passes to the runtime through the environment. */
export function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set (the runtime tests pass it)`);
  return value;
}

/** Prints the one line the Node-side test parses, then ends the process with the matching code. */
export function report(payload: unknown, ok: boolean): never {
  console.log(`RESULT ${JSON.stringify(payload)}`);
  process.exit(ok ? 0 : 1);
}
