export type { DescribeSessionStoreOptions, SessionStoreFactory } from "./context.js";
export { randomKey, uniqueNamespace } from "./context.js";
export { sampleRecord } from "./crud.js";
export { describeSessionStore } from "./describe-session-store.js";
