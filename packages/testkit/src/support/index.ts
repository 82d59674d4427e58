// Node-only test support (child processes); browser tests import the package root, never this.
export type { LineWatch } from "./children.js";
export { exited, forkTsx, message, printed, watchLines } from "./children.js";
export type { LockAcrossProcessesOptions } from "./lock-across-processes.js";
export { describeLockAcrossProcesses } from "./lock-across-processes.js";
export { closedPort, keepIdleSockets } from "./net.js";
export { everythingLogged, expectUnavailable, useCrashSentinel } from "./unavailable.js";
export type { CollectedChanges } from "./waits.js";
export { collectChanges, waitUntil } from "./waits.js";
