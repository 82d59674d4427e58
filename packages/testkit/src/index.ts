export type { DescribeSessionStoreOptions, SessionStoreFactory } from "./conformance/index.js";
export { describeSessionStore, randomKey, sampleRecord, uniqueNamespace } from "./conformance/index.js";
