// The fake platform as a process of its own (see platform-process.ts).
import { type FakePlatformOptions, startFakePlatform } from "@sessionstore/testkit/platform";
import type { PlatformCommand, PlatformReply } from "./platform-process.js";

const options = JSON.parse(process.argv[2] ?? "{}") as FakePlatformOptions;
const platform = await startFakePlatform(options);
const reply = (message: PlatformReply) => process.send?.(message);

process.on("message", async (command: PlatformCommand) => {
  if (command.type === "close") {
    await platform.close();
    process.disconnect();
    return;
  }
  if (command.type === "reset") platform.resetStats();
  if (command.type === "expire") platform.expireAccessTokens();
  reply({ type: "done", id: command.id, stats: { ...platform.stats, byGrant: { ...platform.stats.byGrant } } });
});
// The parent going away must not leave the server running.
process.on("disconnect", () => {
  void platform.close().then(() => process.exit(0));
});
reply({ type: "ready", url: platform.url });
