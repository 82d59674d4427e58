// Run as a child process (tsx --conditions=@sessionstore/source): makes a store
// and never calls it. The process must still exit on its own.
import { createRedisStore } from "@sessionstore/redis";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: unused-store <url>");
createRedisStore({ url, keyPrefix: "unused-store", connectTimeoutMs: 2_000 });
