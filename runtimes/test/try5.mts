import { Miniflare } from "miniflare";
import { bundle } from "./helpers/bundle.ts";

const file = await bundle("worker/unsupported.ts", { inline: true, platform: "neutral" });
const mf = new Miniflare({
  modules: true,
  scriptPath: file,
  compatibilityDate: "2026-07-01",
  compatibilityFlags: ["nodejs_compat"],
});
for (const p of ["/file", "/local-storage"]) {
  const r = await mf.dispatchFetch(`http://worker${p}`);
  console.log(p, r.status, (await r.text()).slice(0, 400));
}
await mf.dispose();
