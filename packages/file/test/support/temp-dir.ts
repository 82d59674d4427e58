import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory under os.tmpdir(), removed after the test file. */
export async function tempDir(label = "t"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sessionstore-file-${label}-`));
  made.push(dir);
  return dir;
}
