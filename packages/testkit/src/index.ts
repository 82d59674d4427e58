export type { DescribeSessionStoreOptions, SessionStoreFactory } from "./conformance/index.js";
export { describeSessionStore, randomKey, sampleRecord, uniqueNamespace } from "./conformance/index.js";
export type { CrashSentinel, Outcome } from "./faults/index.js";
export { crashSentinel, eventually, outcomeOf } from "./faults/index.js";
