// Runs publint and @arethetypeswrong/cli on every built package; any problem fails.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const failures = [];
for (const name of readdirSync("packages")) {
  const dir = join("packages", name);
  if (!existsSync(join(dir, "package.json"))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  if (!existsSync(join(dir, "dist"))) {
    failures.push(`${manifest.name}: not built (run pnpm build first)`);
    continue;
  }
  for (const [tool, args] of [
    ["publint", ["publint", "--strict", dir]],
    ["attw", ["attw", "--pack", dir, "--profile", "node16"]],
  ]) {
    try {
      const out = execFileSync("pnpm", ["exec", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      console.log(`✓ ${manifest.name} ${tool}\n${out.trim().split("\n").slice(-3).join("\n")}`);
    } catch (error) {
      failures.push(`${manifest.name} ${tool}:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
  }
}
if (failures.length > 0) {
  console.error(`\ncheck:packages found problems:\n\n${failures.join("\n\n")}`);
  process.exit(1);
}
console.log("check:packages: every package is clean");
