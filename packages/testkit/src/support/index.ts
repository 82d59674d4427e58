// Node-only test support (child processes); browser tests import the package root, never this.
export type { LineWatch } from "./children.js";
export { exited, forkTsx, message, printed, watchLines } from "./children.js";
export type { LockAcrossProcessesOptions } from "./lock-across-processes.js";
export { describeLockAcrossProcesses } from "./lock-across-processes.js";
export type { TcpProxy } from "./net.js";
export { closedPort, keepIdleSockets, tcpProxy } from "./net.js";
export { expectRecordsOf010, RECORDS_010_KEYS } from "./records-0.1.0.js";
export { everythingLogged, expectUnavailable, useCrashSentinel } from "./unavailable.js";
export type { CollectedChanges } from "./waits.js";
export { collectChanges, untilWatching, waitUntil } from "./waits.js";
export { walkPages } from "./walk-pages.js";
