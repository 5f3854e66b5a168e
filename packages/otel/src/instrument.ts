import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { metrics, type MeterProvider, trace, type TracerProvider } from '@opentelemetry/api';
import { type ConcurrencyEvent, channels, type LoadEvent, type NotFoundEvent, type RequestEvent, type RetryEvent } from 'cdf-loader';
import { LoaderMetrics } from './metrics.js';
import { recordAttemptSpan, recordRetryEvent } from './spans.js';
import { VERSION } from './version.js';

/** Where `instrumentCdfLoader` sends spans and metrics. */
export interface CdfLoaderInstrumentationOptions {
  /** Makes the spans. Default: the global one (`trace.getTracerProvider()`), as the OpenTelemetry SDK registers it. */
  tracerProvider?: TracerProvider;
  /**
   * Makes the metrics. Default: the global one (`metrics.getMeterProvider()`), read when
   * `instrumentCdfLoader` is called: start the SDK first.
   */
  meterProvider?: MeterProvider;
}

const INSTRUMENTATION_SCOPE = '@cdf-loader/otel';

/**
 * Turns the events of every cdf-loader in the process into OpenTelemetry spans (one CLIENT span
 * per byids HTTP attempt) and metrics. Returns a function that stops it; calling that again does
 * nothing. Call it once per process: each call records everything again.
 */
export function instrumentCdfLoader(options: CdfLoaderInstrumentationOptions = {}): () => void {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE, VERSION);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE, VERSION);
  const loaderMetrics = new LoaderMetrics(meter);
  const stops = [
    listen(channels.request, (event) => {
      recordAttemptSpan(tracer, event);
      loaderMetrics.request(event);
    }),
    listen(channels.retry, (event) => {
      recordRetryEvent(event);
      loaderMetrics.retry(event);
    }),
    listen(channels.load, (event) => loaderMetrics.load(event)),
    listen(channels.notFound, (event) => loaderMetrics.notFound(event)),
    listen(channels.concurrency, (event) => loaderMetrics.concurrency(event)),
    () => loaderMetrics.stop(),
  ];
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops) stop();
  };
}

/** What each channel this package reads carries. */
interface ChannelEvents {
  [channels.request]: RequestEvent;
  [channels.retry]: RetryEvent;
  [channels.load]: LoadEvent;
  [channels.notFound]: NotFoundEvent;
  [channels.concurrency]: ConcurrencyEvent;
}

/** Subscribes `listener` to a channel; returns what unsubscribes it. */
function listen<Name extends keyof ChannelEvents>(name: Name, listener: (event: ChannelEvents[Name]) => void): () => void {
  const onMessage = listener as (message: unknown) => void;
  subscribe(name, onMessage);
  return () => unsubscribe(name, onMessage);
}
