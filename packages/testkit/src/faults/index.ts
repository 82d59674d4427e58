export type { CrashSentinel } from "./crash-sentinel.js";
export { crashSentinel } from "./crash-sentinel.js";
export type { Outcome } from "./outcome.js";
export { eventually, outcomeOf } from "./outcome.js";
