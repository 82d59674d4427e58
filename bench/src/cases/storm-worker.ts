// One process of the multi-process refresh storm (see storm.ts), run by fork()
// with argv = kind, location, API URL, requests. It restores the shared
// (expired) session, says "ready", waits for "go", fires its requests at once,
// and reports how they went.
import { PlatformClient } from "@sessionstore/client";
import { DEMO_AUTH } from "../demo.js";
import { errorCode, openStormStore, type StormStoreKind, type WorkerMessage } from "./storm-store.js";

const [kind, location = "", apiURL = "", count = "0"] = process.argv.slice(2);
const requests = Number(count);
const send = (message: WorkerMessage) => process.send?.(message);

try {
  const store = await openStormStore(kind as StormStoreKind, location);
  const client = new PlatformClient(DEMO_AUTH, { apiURL, sessionStore: store });
  await client.ready;
  await new Promise<void>((resolve) => {
    process.once("message", () => resolve());
    send({ type: "ready" });
  });
  const outcomes = await Promise.allSettled(
    Array.from({ length: requests }, (_, index) => client.request("GET", `/items/${process.pid}-${index}`)),
  );
  const failures = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [errorCode(outcome.reason)] : []));
  send({ type: "done", ok: requests - failures.length, failed: failures.length, errors: failures.slice(0, 3) });
  await store.close();
  process.disconnect();
} catch (error) {
  console.error(`storm worker ${process.pid}: ${errorCode(error)}`);
  process.exit(1);
}
