import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  Span,
  Tracer,
  TracerProvider,
} from "@opentelemetry/api";
import { redactTokens, type SessionStore } from "@sessionstore/core";
import type { Emitter } from "@sessionstore/core/adapter";
import packageJson from "../../package.json" with { type: "json" };
import { invalidArgument } from "../errors.js";
import type { ObservabilityOptions } from "../observability.js";
import type { PlatformClientEvents } from "../types.js";
import { debugLoggerFrom, formatLine, type LogFields } from "./debug-log.js";

/** The instrumentation scope: the package's own name and version, as OpenTelemetry asks of libraries. */
export const SCOPE_NAME = packageJson.name;
export const SCOPE_VERSION = packageJson.version;

// SpanKind and SpanStatusCode values of @opentelemetry/api, inlined: the API may not be installed.
const SPAN_KIND_INTERNAL = 0;
const SPAN_KIND_CLIENT = 2;
const SPAN_STATUS_ERROR = 2;

interface OpenTelemetryApi {
  readonly trace: { getTracerProvider(): TracerProvider };
  readonly metrics: { getMeterProvider(): MeterProvider };
}

// The specifier is a variable so bundlers leave the optional peer alone (a browser
// without it, or without an import map, simply gets no global provider).
const API_SPECIFIER = "@opentelemetry/api";
let api: OpenTelemetryApi | undefined;
let apiLoading: Promise<void> | undefined;
/** Set once the import settled (found or not): from then on nobody waits for it. */
let apiSettled = false;

function isApi(value: unknown): value is OpenTelemetryApi {
  return typeof value === "object" && value !== null && "trace" in value && "metrics" in value;
}

/** Loads `@opentelemetry/api` once per process when it is installed; without it, resolves all the same. */
function loadApi(): Promise<void> {
  apiLoading ??= import(/* webpackIgnore: true */ /* @vite-ignore */ API_SPECIFIER).then(
    (loaded: unknown) => {
      const namespace = isApi(loaded) ? loaded : (loaded as { default?: unknown }).default;
      if (isApi(namespace)) api = namespace;
      apiSettled = true;
    },
    () => {
      apiSettled = true;
    },
  );
  return apiLoading;
}

/** The metric instruments, made once per meter provider. */
interface Instruments {
  readonly tokenCalls: Counter;
  readonly refreshes: Counter;
  readonly lockWait: Histogram;
  readonly storeDuration: Histogram;
  readonly cleared: Counter;
}

// Seconds, as OpenTelemetry's semantic conventions measure durations.
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const instrumentsByProvider = new WeakMap<MeterProvider, Instruments>();
const tracerByProvider = new WeakMap<TracerProvider, Tracer>();

function instrumentsFor(provider: MeterProvider): Instruments {
  let instruments = instrumentsByProvider.get(provider);
  if (!instruments) {
    const meter: Meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
    const advice = { explicitBucketBoundaries: DURATION_BUCKETS };
    instruments = {
      tokenCalls: meter.createCounter("sessionstore.token.calls", { description: "Token endpoint calls" }),
      refreshes: meter.createCounter("sessionstore.refreshes", { description: "Session refreshes" }),
      lockWait: meter.createHistogram("sessionstore.lock.wait.duration", {
        description: "Time spent waiting for the store's lock",
        unit: "s",
        advice,
      }),
      storeDuration: meter.createHistogram("sessionstore.store.operation.duration", {
        description: "Duration of the client's store operations",
        unit: "s",
        advice,
      }),
      cleared: meter.createCounter("sessionstore.sessions.cleared", { description: "Sessions ended" }),
    };
    instrumentsByProvider.set(provider, instruments);
  }
  return instruments;
}

function tracerFor(provider: TracerProvider): Tracer {
  let tracer = tracerByProvider.get(provider);
  if (!tracer) {
    tracer = provider.getTracer(SCOPE_NAME, SCOPE_VERSION);
    tracerByProvider.set(provider, tracer);
  }
  return tracer;
}

/** The error code callers branch on (`ERR_SERVER` ...), else the error's class name. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : "unknown";
}

/** Marks a span failed: status and `error.type` carry the code; the exception is recorded with redacted text. */
function fail(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute("error.type", type);
  span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
  // Our errors keep secrets out of their text by contract; another error's text (a user's hook) is not ours to export.
  const ours = error instanceof Error && typeof (error as { code?: unknown }).code === "string";
  const message = ours ? redactTokens(error.message) : type;
  const stack = ours && error.stack !== undefined ? redactTokens(error.stack) : undefined;
  span.recordException({
    name: error instanceof Error ? error.name : "Error",
    code: type,
    message,
    ...(stack ? { stack } : {}),
  });
}

/** Whatever a store declares as its `kind` ("redis", "sqlite" ...), else `custom`. */
export function storeKindOf(store: SessionStore): string {
  const kind = (store as { kind?: unknown }).kind;
  return typeof kind === "string" && kind !== "" ? kind : "custom";
}

function isProvider(value: unknown, method: "getTracer" | "getMeter"): boolean {
  return (
    typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)[method] === "function"
  );
}

/**
 * One client's traces, metrics and debug log. Every method runs the given
 * work unchanged and only observes it; with no provider, no API installed and
 * no logger, each is a plain call.
 */
export class Telemetry {
  readonly #tracerProvider: TracerProvider | undefined;
  readonly #meterProvider: MeterProvider | undefined;
  readonly #log: ((line: string) => void) | undefined;
  readonly #global: boolean;
  /** The session store's kind, on every store operation's span, metric and log line. */
  storeKind = "custom";

  /** `off`: report nothing, whatever the environment says. */
  constructor(options: ObservabilityOptions & { readonly off?: boolean } = {}) {
    if (options.tracerProvider !== undefined && !isProvider(options.tracerProvider, "getTracer"))
      throw invalidArgument("options.tracerProvider", "must be an OpenTelemetry TracerProvider");
    if (options.meterProvider !== undefined && !isProvider(options.meterProvider, "getMeter"))
      throw invalidArgument("options.meterProvider", "must be an OpenTelemetry MeterProvider");
    this.#tracerProvider = options.tracerProvider as TracerProvider | undefined;
    this.#meterProvider = options.meterProvider as MeterProvider | undefined;
    const logger = options.off ? undefined : debugLoggerFrom(options.logger);
    this.#log = logger && ((line) => logger.debug(line));
    // With both providers given, the global ones (and so the API) are never needed.
    this.#global = !options.off && (this.#tracerProvider === undefined || this.#meterProvider === undefined);
    if (this.#global) void loadApi();
  }

  #tracer(): Tracer | undefined {
    const provider = this.#tracerProvider ?? (this.#global ? api?.trace.getTracerProvider() : undefined);
    return provider && tracerFor(provider);
  }

  /** The instruments of the provider in effect now: an SDK may register its global provider after the client was made. */
  metrics(): Instruments | undefined {
    const provider = this.#meterProvider ?? (this.#global ? api?.metrics.getMeterProvider() : undefined);
    return provider && instrumentsFor(provider);
  }

  /** Writes one debug line (names, codes, numbers only), when a logger is set. */
  log(what: string, fields: LogFields): void {
    this.#log?.(formatLine(what, fields));
  }

  /**
   * Runs `work` inside a span (active, so the spans it starts are its children).
   * `work` gets the span (or `undefined` when nobody traces) to add attributes.
   */
  async span<T>(
    name: string,
    attributes: Attributes,
    work: (span: Span | undefined) => Promise<T>,
    client = false,
  ): Promise<T> {
    // Only the first calls of a process wait for the optional API to load.
    if (this.#global && !apiSettled) await apiLoading;
    const tracer = this.#tracer();
    if (!tracer) return work(undefined);
    const kind = client ? SPAN_KIND_CLIENT : SPAN_KIND_INTERNAL;
    return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** A store operation: span `sessionstore.store.<operation>`, duration histogram, a log line on failure. */
  async storeOp<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.#disabled()) return work();
    const store = { "sessionstore.store.kind": this.storeKind, "sessionstore.store.operation": operation };
    const started = performance.now();
    let outcome = "success";
    try {
      return await this.span(`sessionstore.store.${operation}`, store, work);
    } catch (error) {
      outcome = "failure";
      this.log(`store ${operation} failed`, { store: this.storeKind, error: errorType(error) });
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.metrics()?.storeDuration.record(seconds, { ...store, "sessionstore.outcome": outcome });
    }
  }

  /** How long a lock took to get (or to give up on): the lock-wait histogram and a log line. */
  lockWaited(ms: number, acquired: boolean): void {
    const attributes = {
      "sessionstore.store.kind": this.storeKind,
      "sessionstore.outcome": acquired ? "success" : "failure",
    };
    this.metrics()?.lockWait.record(ms / 1000, attributes);
    this.log("lock wait", { store: this.storeKind, waited_ms: ms, acquired });
  }

  /** Whether there is nothing to report to: no provider, no API, no logger. */
  #disabled(): boolean {
    return (
      this.#log === undefined &&
      this.#tracerProvider === undefined &&
      this.#meterProvider === undefined &&
      (!this.#global || (apiSettled && api === undefined))
    );
  }

  /**
   * Follows the client's own events for what happens outside a refresh it
   * runs: sessions ended (any reason) and pairs adopted from the store's watch.
   */
  follow(events: Emitter<PlatformClientEvents>): void {
    events.on("logout", ({ reason }) => {
      this.metrics()?.cleared.add(1, { "sessionstore.clear.reason": reason });
      this.log("session cleared", { reason });
    });
    events.on("refresh", ({ trigger }) => {
      if (trigger !== "watch") return;
      const attributes = { "sessionstore.refresh.trigger": trigger, "sessionstore.refresh.result": "adopted" };
      void this.span("sessionstore.refresh", attributes, async () => undefined);
      this.metrics()?.refreshes.add(1, attributes);
      this.log("refresh", { trigger, result: "adopted" });
    });
  }
}

/** A client's telemetry: its options, its store's kind, and its own events followed. */
export function clientTelemetry(
  options: ObservabilityOptions,
  store: SessionStore,
  events: Emitter<PlatformClientEvents>,
): Telemetry {
  const telemetry = new Telemetry(options);
  telemetry.storeKind = storeKindOf(store);
  telemetry.follow(events);
  return telemetry;
}

/** Telemetry that reports nothing (tests and internal helpers that build their own parts). */
export const NO_TELEMETRY = new Telemetry({ off: true });
