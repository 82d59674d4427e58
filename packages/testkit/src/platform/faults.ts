import type { Fault, FaultTarget, GrantType } from "./types.js";

interface Queued {
  readonly fault: Fault;
  remaining: number;
}

/** The queue of injected faults; each matching request takes one. */
export class FaultQueue {
  #queue: Queued[] = [];

  add(fault: Fault): void {
    const kinds = ["status", "hang", "reset", "drop-after-rotation"];
    if (!kinds.includes(fault.kind)) throw new TypeError(`fault.kind must be one of ${kinds.join(", ")}`);
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new TypeError("fault.times must be a positive integer");
    this.#queue.push({ fault, remaining: times });
  }

  clear(): void {
    this.#queue = [];
  }

  /** Takes the first fault matching this request, if any. */
  take(target: FaultTarget, grant?: GrantType | string): Fault | undefined {
    const index = this.#queue.findIndex(
      ({ fault }) => (fault.on ?? "token") === target && (fault.grant === undefined || fault.grant === grant),
    );
    const entry = this.#queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }
}
