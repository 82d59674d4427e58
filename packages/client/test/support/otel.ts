import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

// What an application's SDK setup does (NodeSDK registers one): spans started
// inside a span's callback become its children across awaits.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** A reader collected on demand: the in-memory reader of the tests. */
class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A metric point as the tests read it: its attributes and value (a count, or a histogram's count and sum). */
export interface Point {
  readonly attributes: Record<string, unknown>;
  readonly value: number;
  readonly count?: number;
}

/** A real SDK tracer provider with an in-memory exporter, and a meter provider with a collecting reader. */
export function otelSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    named: (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name),
    /** Every point of every metric, by metric name. */
    async metrics(): Promise<Map<string, Point[]>> {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const byName = new Map<string, Point[]>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          const points = (metric.dataPoints as DataPoint<number | Histogram>[]).map((point): Point => {
            const value = point.value;
            return typeof value === "number"
              ? { attributes: point.attributes, value }
              : { attributes: point.attributes, value: value.sum ?? 0, count: value.count };
          });
          byName.set(metric.descriptor.name, [...(byName.get(metric.descriptor.name) ?? []), ...points]);
        }
      }
      return byName;
    },
    /** Everything the exporters received, as text: for leak checks. */
    async everything(): Promise<string> {
      const spans = exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        attributes: span.attributes,
        status: span.status,
        events: span.events,
        links: span.links,
        resource: span.resource.attributes,
      }));
      const { resourceMetrics } = await reader.collect();
      return JSON.stringify({ spans, metrics: resourceMetrics.scopeMetrics });
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The id of a span's parent, whatever SDK version made it. */
export function parentIdOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
