/**
 * What the client's `logger` option takes: any console-like object (`console`,
 * a pino or winston logger). Each call is one line that never holds a token,
 * secret, password or authorization code.
 */
export interface DebugLogger {
  debug(message: string): void;
}

/**
 * An OpenTelemetry `TracerProvider` (from `@opentelemetry/api` or an SDK),
 * described by the one method the client calls, so these types do not need
 * the API installed.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): object;
}

/** An OpenTelemetry `MeterProvider`, described by the one method the client calls. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): object;
}

/** The client's observability options (part of `PlatformClientOptions`). */
export interface ObservabilityOptions {
  /**
   * Where spans go. The tracer is `getTracer("@sessionstore/client", version)`.
   * @default the global provider of `@opentelemetry/api` when it is installed (no-op until an SDK registers one)
   */
  tracerProvider?: TracerProviderLike;
  /**
   * Where metrics go. The meter is `getMeter("@sessionstore/client", version)`.
   * @default the global provider of `@opentelemetry/api` when it is installed (no-op until an SDK registers one)
   */
  meterProvider?: MeterProviderLike;
  /**
   * Receives one redacted debug line per token call, refresh decision, lock
   * wait, store error and cleared session.
   * @default stderr when the environment variable `SESSIONSTORE_DEBUG` is `1` (or `true`), else none
   */
  logger?: DebugLogger;
}
