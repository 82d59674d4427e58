import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(async () => {
  for (const dir of made.splice(0)) {
    // A test may have left a directory read-only.
    await chmod(dir, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

/** A fresh directory under the OS temp dir, removed after the test file. */
export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sessionstore-sqlite-${label}-`));
  made.push(dir);
  return dir;
}
