import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileStore } from "@sessionstore/file";
import { describeRealStore } from "./support/real-store-scenario.js";

describeRealStore("JSON file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sessionstore-cli-file-"));
  const path = join(dir, "sessions.json");
  return {
    uri: `file:${path}`,
    open: () => createFileStore({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
