import { type ChannelListener, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type ConcurrencyEvent, channels, type LoadEvent, type NotFoundEvent, type RequestEvent, type RetryEvent } from 'cdf-loader';
import type { Registry } from 'prom-client';
import { createMetrics, METRIC_NAMES } from './metrics.js';

/** How `registerCdfLoaderMetrics` names its metrics. */
export interface CdfLoaderMetricsOptions {
  /**
   * Starts every metric name, as in `cdf_loader_loads_total`. Default: `'cdf_loader_'`. Empty,
   * or letters, digits, `_` and `:` not starting with a digit.
   */
  prefix?: string;
}

const PREFIX_PATTERN = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/**
 * Registers the metrics of every cdf-loader in the process on `registry` (prom-client): request
 * durations and sizes, loads by outcome, not-found keys, retries, 429s and the adaptive
 * concurrency limit. Returns a function that stops counting and removes the metrics from the
 * registry; calling it again does nothing.
 */
export function registerCdfLoaderMetrics(registry: Registry, options: CdfLoaderMetricsOptions = {}): () => void {
  const prefix = options.prefix ?? 'cdf_loader_';
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(
      `\`prefix\` must be empty or start a Prometheus metric name (letters, digits, \`_\` and \`:\`, not starting with a digit); got ${JSON.stringify(prefix)}`,
    );
  }
  const names = METRIC_NAMES.map((name) => prefix + name);
  const taken = names.find((name) => registry.getSingleMetric(name) !== undefined);
  if (taken !== undefined) {
    throw new Error(`The registry already has a metric named ${taken}: register cdf-loader's metrics once per registry, or pass another \`prefix\``);
  }

  const metrics = createMetrics(registry, prefix);
  const listeners = [
    on(channels.request, (event: RequestEvent) => {
      metrics.requestDuration.observe({ resource: event.resource, status: String(event.status) }, event.durationMs / 1000);
      metrics.requestIdentifiers.observe({ resource: event.resource }, event.items);
      if (event.status === 429) metrics.throttled.inc({ resource: event.resource });
    }),
    on(channels.retry, (event: RetryEvent) => metrics.retries.inc({ resource: event.resource, status: String(event.status) })),
    on(channels.load, (event: LoadEvent) => {
      // Not a load of its own: it follows the `queued` event of the key it answers.
      if (event.outcome === 'stale') metrics.staleServed.inc({ resource: event.resource });
      else metrics.loads.inc({ resource: event.resource, outcome: event.outcome });
    }),
    on(channels.notFound, (event: NotFoundEvent) => metrics.notFound.inc({ resource: event.resource }, event.count)),
    on(channels.concurrency, (event: ConcurrencyEvent) => metrics.limits.set(event.limiterId, event)),
  ];
  for (const [channel, listener] of listeners) subscribe(channel, listener);

  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    for (const [channel, listener] of listeners) unsubscribe(channel, listener);
    for (const name of names) registry.removeSingleMetric(name);
  };
}

/** A channel and its listener, typed by the event the channel carries. */
function on<Event>(channel: string, listener: (event: Event) => void): [string, ChannelListener] {
  return [channel, listener as ChannelListener];
}
